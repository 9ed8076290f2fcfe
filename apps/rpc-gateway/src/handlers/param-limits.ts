/** Length bounds of an id parameter (user, session, company, task), as `@Length(...ID_LENGTH)`. */
export const ID_LENGTH = [1, 256] as const;
