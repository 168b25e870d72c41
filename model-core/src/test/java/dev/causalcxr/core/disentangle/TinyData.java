package dev.causalcxr.core.disentangle;

import dev.causalcxr.core.dataset.SplitProportions;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;

/** Small phantom cohorts for tests (cached: rendering is the slow part). */
final class TinyData {

    private static DisentanglerDataset small;

    private TinyData() {}

    /** 80 studies at 64 px. */
    static synchronized DisentanglerDataset small() {
        if (small == null) {
            small = DisentanglerDataset.fromPhantom(
                    new PhantomGenerator(PhantomSpec.defaults().withStudies(80).withSeed(11)),
                    SplitProportions.defaults(),
                    (done, total) -> {});
        }
        return small;
    }
}
