package dev.causalcxr.core.diffusion;

import dev.causalcxr.core.engine.Adam;
import java.util.LinkedHashMap;
import java.util.Map;

/** Adam's moments in a {@link TensorArchive} checkpoint ({@code adam_m/NAME}, {@code adam_v/NAME}). */
public final class AdamCheckpoint {
    private AdamCheckpoint() {}

    public static void putInto(Adam adam, Map<String, TensorArchive.Tensor> out) {
        adam.firstMoments()
                .forEach((k, v) -> out.put(
                        "adam_m/" + k, new TensorArchive.Tensor(v.getShape().getShape(), v.toFloatArray())));
        adam.secondMoments()
                .forEach((k, v) -> out.put(
                        "adam_v/" + k, new TensorArchive.Tensor(v.getShape().getShape(), v.toFloatArray())));
    }

    public static void restore(Adam adam, TensorArchive archive, long steps) {
        Map<String, float[]> first = new LinkedHashMap<>();
        Map<String, float[]> second = new LinkedHashMap<>();
        for (String k : adam.firstMoments().keySet()) {
            first.put(k, archive.require("adam_m/" + k).values());
            second.put(k, archive.require("adam_v/" + k).values());
        }
        adam.restore(first, second, steps);
    }
}
