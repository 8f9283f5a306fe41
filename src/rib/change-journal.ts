/**
 * The changes of one Adj-RIB-Out batch (`set` / `announce`), four int32 per change: AFI, slot,
 * previous wanted attribute set, created (0/1). The slots are queued for the packer only when
 * the batch commits; an undo walks it backwards to restore them.
 */
export class ChangeJournal {
  data = new Int32Array(64);
  length = 0;

  push(afi: number, slot: number, previous: number, created: number): void {
    if (this.length + 4 > this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    const d = this.data;
    d[this.length] = afi;
    d[this.length + 1] = slot;
    d[this.length + 2] = previous;
    d[this.length + 3] = created;
    this.length += 4;
  }
}
