package dev.causalcxr.core.reports;

import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;

/**
 * Severity, laterality and zone gathered from several words or mentions of one finding: the
 * strongest severity wins, left plus right makes bilateral, and two different zones make none.
 */
public final class MentionAttributes {
    private Severity severity = Severity.UNSPECIFIED;
    private boolean left;
    private boolean right;
    private Zone zone = Zone.UNSPECIFIED;
    private boolean zoneConflict;

    public void add(Severity s, Laterality l, Zone z) {
        if (s != Severity.UNSPECIFIED && (severity == Severity.UNSPECIFIED || s.ordinal() > severity.ordinal())) {
            severity = s;
        }
        switch (l) {
            case LEFT -> left = true;
            case RIGHT -> right = true;
            case BILATERAL -> {
                left = true;
                right = true;
            }
            default -> {}
        }
        if (z != Zone.UNSPECIFIED) {
            if (zone == Zone.UNSPECIFIED) {
                zone = z;
            } else if (zone != z) {
                zoneConflict = true;
            }
        }
    }

    /** Takes over another's location (not its severity): a mention sharing a preceding one's place. */
    public void copyLocationFrom(MentionAttributes other) {
        left = other.left;
        right = other.right;
        zone = other.zone;
        zoneConflict = other.zoneConflict;
    }

    public boolean hasLocation() {
        return left || right || zone != Zone.UNSPECIFIED;
    }

    public Severity severity() {
        return severity;
    }

    public Laterality laterality() {
        return left && right
                ? Laterality.BILATERAL
                : left ? Laterality.LEFT : right ? Laterality.RIGHT : Laterality.UNSPECIFIED;
    }

    public Zone zone() {
        return zoneConflict ? Zone.UNSPECIFIED : zone;
    }
}
