/**
 * The part of better-sqlite3 (12.x) the delivery store uses. The package ships no type
 * declarations and @types/better-sqlite3 is not a dependency: these describe its documented API
 * (https://github.com/WiseLibs/better-sqlite3/blob/master/docs/api.md).
 */
declare module "better-sqlite3" {
  namespace Database {
    type Value = string | number | bigint | Buffer | null;
    type Params = Value[] | [Record<string, Value>];

    interface RunResult {
      changes: number;
      lastInsertRowid: number | bigint;
    }

    interface Statement {
      run(...params: Value[] | [Record<string, Value>]): RunResult;
      get(...params: Value[] | [Record<string, Value>]): unknown;
      all(...params: Value[] | [Record<string, Value>]): unknown[];
      /** Return bigints for INTEGER columns. */
      safeIntegers(toggle?: boolean): this;
    }

    interface Options {
      readonly?: boolean;
      fileMustExist?: boolean;
      /** ms to wait for a lock held by another connection. */
      timeout?: number;
    }

    interface Database {
      readonly open: boolean;
      readonly name: string;
      prepare(source: string): Statement;
      exec(source: string): this;
      pragma(source: string, options?: { simple?: boolean }): unknown;
      /** A function that runs `fn` in a transaction (BEGIN … COMMIT, ROLLBACK when it throws). */
      transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
      close(): this;
    }
  }

  interface DatabaseConstructor {
    new (filename: string, options?: Database.Options): Database.Database;
  }

  const Database: DatabaseConstructor;
  export = Database;
}
