import type BetterSqlite3 from 'better-sqlite3';

/** An open siteflash database (a better-sqlite3 connection). */
export type Db = BetterSqlite3.Database;
