import assert from "node:assert/strict";
import { ServerError } from "@colyseus/core";
import { JoinError, JoinRefused, MessageError, refuse } from "../../src/protocol/errors";

describe("errors > MessageError", () => {
  it("has the four error codes of the contract", () => {
    assert.deepEqual(Object.values(MessageError).sort(), ["BAD_REQUEST", "NOT_ALLOWED", "NOT_FOUND", "RATE_LIMITED"]);
  });
});

describe("errors > JoinError", () => {
  it("uses Colyseus' 4212 for a room that is not found", () => {
    assert.equal(JoinError.NOT_FOUND, 4212);
  });

  it("gives every refusal its own code", () => {
    const codes = Object.values(JoinError);
    assert.equal(new Set(codes).size, codes.length);
  });
});

describe("errors > refuse", () => {
  it('refuses a full room with code FULL and the word "full"', () => {
    const error = refuse.full(10);
    assert.equal(error.code, JoinError.FULL);
    assert.match(error.message, /full/);
    assert.match(error.message, /10/);
  });

  it('refuses a taken name with code NAME_TAKEN and "name already taken"', () => {
    const error = refuse.nameTaken("Ann");
    assert.equal(error.code, JoinError.NAME_TAKEN);
    assert.match(error.message, /name already taken/);
    assert.match(error.message, /Ann/);
  });

  it('refuses a bad name with code INVALID_NAME and "invalid name" plus the reason', () => {
    const error = refuse.invalidName("name must not be empty");
    assert.equal(error.code, JoinError.INVALID_NAME);
    assert.equal(error.message, "invalid name: name must not be empty");
  });

  it('refuses a bad option with code INVALID_OPTION and "invalid option" plus the reason', () => {
    const error = refuse.invalidOption("tempo: too big");
    assert.equal(error.code, JoinError.INVALID_OPTION);
    assert.equal(error.message, "invalid option: tempo: too big");
  });

  it("refuses when no room code is free with code CODE_UNAVAILABLE", () => {
    assert.equal(refuse.codeUnavailable().code, JoinError.CODE_UNAVAILABLE);
  });

  it("makes JoinRefused errors that Colyseus treats as expected ServerErrors", () => {
    const error = refuse.full(4);
    assert.ok(error instanceof JoinRefused);
    assert.ok(error instanceof ServerError);
    assert.equal(error.name, "JoinRefused");
  });
});
