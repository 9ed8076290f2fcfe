/** The task was cancelled (or ended) while its job ran: the processor stops at its next step. */
export class TaskCancelledError extends Error {
  constructor(readonly taskId: string) {
    super(`task ${taskId} was cancelled`);
    this.name = 'TaskCancelledError';
  }
}

/** The task ran longer than its max_duration. */
export class TaskDurationExceededError extends Error {
  constructor(
    readonly taskId: string,
    readonly maxDurationS: number,
  ) {
    super(`task ${taskId} exceeded its max_duration of ${maxDurationS} s`);
    this.name = 'TaskDurationExceededError';
  }
}

/** The job's input can never succeed: no retry. */
export class InvalidTaskInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTaskInputError';
  }
}
