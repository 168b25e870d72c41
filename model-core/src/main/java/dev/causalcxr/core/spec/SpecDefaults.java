package dev.causalcxr.core.spec;

/**
 * Defaults that stage configs share with the experiment spec. A class of constants only: a stage's code fingerprint
 * reaches what its config references, and a config that named {@link ExperimentSpec} reached every stage's config
 * and, through them, the model code of every stage, so a change to one stage invalidated the cache of all.
 */
public final class SpecDefaults {

    /**
     * The default tail threshold: a finding present in fewer than this fraction of the studies (of the data
     * set, of the training codes) is a tail class.
     */
    public static final double TAIL_FREQUENCY = 0.05;

    private SpecDefaults() {}
}
