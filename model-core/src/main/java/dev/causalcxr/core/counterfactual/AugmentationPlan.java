package dev.causalcxr.core.counterfactual;

import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.diffusion.Condition;
import dev.causalcxr.core.diffusion.SeedStreams;
import dev.causalcxr.core.disentangle.DisentanglerDataset;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What to generate to balance the tail of a training split: how many counterfactuals per class and,
 * for each, the source study, the condition and the seed. Deterministic from the seed.
 *
 * <p>Default rule: with {@code head} the largest training count among the classes that can be
 * generated, every class below {@code tailFraction × head} gets {@code ceil(tailFraction × head) − count}
 * new images, at most {@code maxPerClass}; head classes get none. Explicit counts replace the rule.
 *
 * <p>Sources are training studies, those without the target finding first (in a seeded order), reused
 * in turn when more images than sources are wanted. The condition is the source's findings plus the
 * target ({@link Condition#intervene}).
 *
 * @param trainCounts training studies per finding (present)
 * @param targets     images to generate per finding
 * @param items       one entry per image, grouped by finding (rarest first)
 */
public record AugmentationPlan(Map<Finding, Integer> trainCounts, Map<Finding, Integer> targets, List<Item> items) {

    /**
     * One image to generate.
     *
     * @param sourceIndex   index of the source study in the data set
     * @param sourceStudyId the source's study id (pseudonymous)
     * @param target        the finding added
     * @param condition     source findings + target
     * @param seed          the sampler's seed for this image
     */
    public record Item(int sourceIndex, String sourceStudyId, Finding target, Condition condition, long seed) {}

    public AugmentationPlan {
        trainCounts = Collections.unmodifiableMap(new EnumMap<>(orEmpty(trainCounts)));
        targets = Collections.unmodifiableMap(new EnumMap<>(orEmpty(targets)));
        items = List.copyOf(items);
    }

    private static Map<Finding, Integer> orEmpty(Map<Finding, Integer> m) {
        return m.isEmpty() ? new EnumMap<>(Finding.class) : m;
    }

    /**
     * Plans the augmentation of {@code data}'s training split.
     *
     * @param generatable findings the models can generate (others are never planned)
     * @param explicit    images per finding; empty: the tail rule
     */
    public static AugmentationPlan build(
            DisentanglerDataset data,
            Collection<Finding> generatable,
            double tailFraction,
            int maxPerClass,
            Map<Finding, Integer> explicit,
            long seed) {
        if (!(tailFraction > 0 && tailFraction <= 1)) {
            throw new IllegalArgumentException("tailFraction must be in (0, 1], got " + tailFraction);
        }
        int[] train = data.indices(Split.TRAIN);
        if (train.length == 0) {
            throw new IllegalArgumentException("the data set has no training studies to draw sources from");
        }
        Map<Finding, Integer> counts = new EnumMap<>(Finding.class);
        for (int i : train) {
            for (FindingMention m : data.studies().get(i).findings()) {
                counts.merge(m.finding(), 1, Integer::sum);
            }
        }
        Map<Finding, Integer> targets = new EnumMap<>(Finding.class);
        if (explicit != null && !explicit.isEmpty()) {
            explicit.forEach((f, n) -> {
                if (!generatable.contains(f) || f == Finding.NO_FINDING) {
                    throw new IllegalArgumentException("cannot generate " + f.label()
                            + ": the models were not trained on it (they know " + generatable + ")");
                }
                if (n > 0) {
                    targets.put(f, n);
                }
            });
        } else {
            int head = 0;
            for (Finding f : generatable) {
                head = Math.max(head, counts.getOrDefault(f, 0));
            }
            int level = (int) Math.ceil(tailFraction * head);
            for (Finding f : generatable) {
                if (f == Finding.NO_FINDING) {
                    continue;
                }
                int have = counts.getOrDefault(f, 0);
                if (have < level) {
                    int add = Math.min(level - have, maxPerClass);
                    if (add > 0) {
                        targets.put(f, add);
                    }
                }
            }
        }
        List<Finding> order = new ArrayList<>(targets.keySet());
        order.sort(
                Comparator.<Finding>comparingInt(f -> counts.getOrDefault(f, 0)).thenComparing(f -> f));
        List<Item> items = new ArrayList<>();
        for (Finding f : order) {
            List<Integer> sources = sources(data, train, f, seed);
            for (int k = 0; k < targets.get(f); k++) {
                int idx = sources.get(k % sources.size());
                DisentanglerDataset.Study s = data.studies().get(idx);
                Condition c = Condition.intervene(s.findings(), List.of(FindingMention.present(f, null, null, null)));
                long itemSeed = SeedStreams.of(SeedStreams.of(seed, f.ordinal()), k);
                items.add(new Item(idx, s.studyId(), f, c, itemSeed));
            }
        }
        return new AugmentationPlan(counts, targets, items);
    }

    /** Training studies without the finding first, then those with it; each group in a seeded order. */
    private static List<Integer> sources(DisentanglerDataset data, int[] train, Finding f, long seed) {
        List<Integer> without = new ArrayList<>();
        List<Integer> with = new ArrayList<>();
        for (int i : train) {
            boolean has = data.studies().get(i).findings().stream().anyMatch(m -> m.finding() == f);
            (has ? with : without).add(i);
        }
        long classSeed = SeedStreams.of(seed ^ 0xA5A5A5A5L, f.ordinal());
        Comparator<Integer> seeded = Comparator.comparingLong((Integer i) -> SeedStreams.of(
                        classSeed, data.studies().get(i).studyId().hashCode()))
                .thenComparing(i -> data.studies().get(i).studyId());
        without.sort(seeded);
        with.sort(seeded);
        without.addAll(with);
        return without;
    }

    public int size() {
        return items.size();
    }

    /** Training count after augmentation, per finding. */
    public Map<Finding, Integer> countsAfter() {
        Map<Finding, Integer> out = new EnumMap<>(Finding.class);
        out.putAll(trainCounts);
        targets.forEach((f, n) -> out.merge(f, n, Integer::sum));
        return out;
    }
}
