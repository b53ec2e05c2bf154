/**
 * A rollback journal for one attach, as the plugins keep one for a plug: each step that created
 * something registers how to remove it; when a later step fails, the removals run newest first
 * and the original error is raised again.
 */
export class Journal {
  private readonly undos: { what: string; run: () => Promise<unknown> }[] = [];
  /** Errors from undo steps that failed in turn. */
  readonly undoErrors: { what: string; error: unknown }[] = [];

  /** Registers how to undo what was just created. */
  push(what: string, run: () => Promise<unknown>): void {
    this.undos.push({ what, run });
  }

  /** Runs `body`; on failure undoes everything registered, newest first, and rethrows. */
  async run<T>(body: (journal: Journal) => Promise<T>): Promise<T> {
    try {
      return await body(this);
    } catch (error) {
      for (let undo = this.undos.pop(); undo; undo = this.undos.pop()) {
        try {
          await undo.run();
        } catch (e) {
          this.undoErrors.push({ what: undo.what, error: e });
        }
      }
      throw error;
    }
  }
}
