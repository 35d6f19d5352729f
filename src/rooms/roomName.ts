/** The one room type of the contract: `client.create("jam", …)`. */
export const JAM_ROOM_NAME = "jam";
