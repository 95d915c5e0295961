/** The read index on SQLite: what it serves matches the chain, pages stay whole while events arrive, a restart resumes. */
import { indexBehaviours } from "./indexBehaviours";

describe("serve: the read index (issue 20)", function () {
  this.timeout(120_000);
  indexBehaviours(() => ({}), "sqlite");
});
