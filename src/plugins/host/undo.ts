/**
 * A rollback journal for one plug call: each step that created something registers how to
 * remove it; when a later step fails, the removals run newest first and the original error
 * is raised again. os-vif itself never rolls back (§6.3, "No rollback is attempted").
 */
export class UndoJournal {
  private readonly undos: { what: string; run: () => Promise<unknown> }[] = [];
  /** Errors from undo steps that failed in turn (kept for logs and tests). */
  readonly undoErrors: { what: string; error: unknown }[] = [];

  /** Registers how to undo what was just created. */
  push(what: string, run: () => Promise<unknown>): void {
    this.undos.push({ what, run });
  }

  /** Runs `body`; on failure undoes everything registered, newest first, and rethrows. */
  async run<T>(body: (journal: UndoJournal) => Promise<T>): Promise<T> {
    try {
      return await body(this);
    } catch (error) {
      await this.rollback();
      throw error;
    }
  }

  /** Undoes every registered step, newest first; never throws. */
  async rollback(): Promise<void> {
    for (let undo = this.undos.pop(); undo; undo = this.undos.pop()) {
      try {
        await undo.run();
      } catch (error) {
        this.undoErrors.push({ what: undo.what, error });
      }
    }
  }
}
