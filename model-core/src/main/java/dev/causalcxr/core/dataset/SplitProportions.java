package dev.causalcxr.core.dataset;

/**
 * Fixed train/val/test proportions. A patient's split is a pure function of the pseudonymous
 * patient id (its hash mapped to [0, 1)), so all studies of a patient land in the same split, the
 * assignment does not depend on import order, and re-imports agree.
 */
public record SplitProportions(double train, double val, double test) {

    public SplitProportions {
        if (!(train >= 0 && val >= 0 && test >= 0) || Math.abs(train + val + test - 1) > 1e-9) {
            throw new IllegalArgumentException(
                    "split proportions must be >= 0 and sum to 1: " + train + "/" + val + "/" + test);
        }
    }

    public static SplitProportions defaults() {
        return new SplitProportions(0.70, 0.15, 0.15);
    }

    /** The split of a pseudonymous patient id (hex digits after an optional letter prefix). */
    public Split assign(String pseudonymousPatientId) {
        String hex = pseudonymousPatientId.replaceAll("[^0-9a-fA-F]", "");
        if (hex.length() < 13) {
            throw new IllegalArgumentException("expected a hashed patient id");
        }
        double u = Long.parseLong(hex.substring(0, 13), 16) / (double) (1L << 52);
        if (u < train) {
            return Split.TRAIN;
        }
        return u < train + val ? Split.VAL : Split.TEST;
    }
}
