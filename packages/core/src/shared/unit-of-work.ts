/**
 * A transaction boundary that domains ask for without knowing the database. `run` gives the callback a set of
 * stores bound to one transaction: every write inside it, the audit entry included, commits or rolls back together.
 */
export interface UnitOfWork<Stores> {
  run<T>(work: (stores: Stores) => Promise<T>): Promise<T>;
}
