/** Bad input to the chat history, naming the parameter at fault (the RPC layer answers INVALID_ARGS). */
export class ChatHistoryInputError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(`${parameter} ${message}`);
  }
}
