import { IsString, Length } from 'class-validator';
import { ID_LENGTH } from './param-limits';

/** The parameters of a method that takes only a user id. */
export class UserParams {
  @IsString() @Length(...ID_LENGTH) user_id!: string;
}

/** The parameters of a method that takes only a task id. */
export class TaskParams {
  @IsString() @Length(...ID_LENGTH) task_id!: string;
}
