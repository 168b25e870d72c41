package dev.causalcxr.core.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import java.util.List;

/**
 * A batch of conditions as one-hot arrays, built on the Java side (this engine has no
 * {@code oneHot}); multiplying a one-hot matrix by an embedding table is the table lookup, and it is
 * differentiable without a gather.
 *
 * <p>Mentions are padded to the largest count in the batch ({@code slots}); {@code mask} marks real
 * mentions. The count bucket is 0 for the null condition, 1 for "no present finding", 2, 3, and 4 for
 * three or more findings: the null embedding is the bucket-0 row of the count table.
 */
final class ConditionBatch {
    static final int FINDINGS = Finding.values().length;
    static final int SEVERITIES = Severity.values().length;
    static final int LATERALITIES = Laterality.values().length;
    static final int ZONES = Zone.values().length;
    static final int COUNT_BUCKETS = 5;

    final int batch;
    final int slots;
    final float[] finding;
    final float[] severity;
    final float[] laterality;
    final float[] zone;
    final float[] mask;
    final float[] inverseCount;
    final float[] countBucket;

    private ConditionBatch(int batch, int slots) {
        this.batch = batch;
        this.slots = slots;
        int rows = batch * slots;
        finding = new float[rows * FINDINGS];
        severity = new float[rows * SEVERITIES];
        laterality = new float[rows * LATERALITIES];
        zone = new float[rows * ZONES];
        mask = new float[rows];
        inverseCount = new float[batch];
        countBucket = new float[batch * COUNT_BUCKETS];
    }

    static ConditionBatch encode(List<Condition> conditions) {
        int slots = 1;
        for (Condition c : conditions) {
            slots = Math.max(slots, c.present().size());
        }
        ConditionBatch b = new ConditionBatch(conditions.size(), slots);
        for (int i = 0; i < conditions.size(); i++) {
            Condition c = conditions.get(i);
            List<FindingMention> ms = c.present();
            for (int k = 0; k < ms.size(); k++) {
                FindingMention m = ms.get(k);
                int row = i * slots + k;
                b.finding[row * FINDINGS + m.finding().ordinal()] = 1f;
                b.severity[row * SEVERITIES + m.severity().ordinal()] = 1f;
                b.laterality[row * LATERALITIES + m.laterality().ordinal()] = 1f;
                b.zone[row * ZONES + m.zone().ordinal()] = 1f;
                b.mask[row] = 1f;
            }
            b.inverseCount[i] = ms.isEmpty() ? 0f : 1f / ms.size();
            int bucket = c.isNull() ? 0 : Math.min(ms.size() + 1, COUNT_BUCKETS - 1);
            b.countBucket[i * COUNT_BUCKETS + bucket] = 1f;
        }
        return b;
    }

    /** The arrays on a manager, in the order {@link Denoiser} reads them. */
    Arrays toArrays(NDManager manager) {
        int rows = batch * slots;
        return new Arrays(
                manager.create(finding, new Shape(rows, FINDINGS)),
                manager.create(severity, new Shape(rows, SEVERITIES)),
                manager.create(laterality, new Shape(rows, LATERALITIES)),
                manager.create(zone, new Shape(rows, ZONES)),
                manager.create(mask, new Shape(batch, slots, 1)),
                manager.create(inverseCount, new Shape(batch, 1)),
                manager.create(countBucket, new Shape(batch, COUNT_BUCKETS)),
                batch,
                slots);
    }

    record Arrays(
            NDArray finding,
            NDArray severity,
            NDArray laterality,
            NDArray zone,
            NDArray mask,
            NDArray inverseCount,
            NDArray countBucket,
            int batch,
            int slots) {}
}
