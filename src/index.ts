import { listen } from "@colyseus/tools";
import appConfig from "./app.config";

void listen(appConfig);
