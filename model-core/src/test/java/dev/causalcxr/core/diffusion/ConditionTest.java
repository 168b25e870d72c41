package dev.causalcxr.core.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.findings.Zone;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConditionTest {

    @Test
    void attributeDropoutOpensEachAttributeAtItsRateAndKeepsTheFindings() {
        Condition stated = Condition.parse("small left apical pneumothorax and mild edema");
        assertEquals(stated, stated.withAttributesDropped(new SplittableRandom(1), 0.0));
        assertEquals(Condition.NULL, Condition.NULL.withAttributesDropped(new SplittableRandom(1), 0.9));
        SplittableRandom rng = new SplittableRandom(2);
        int open = 0;
        int draws = 2000;
        for (int i = 0; i < draws; i++) {
            Condition d = stated.withAttributesDropped(rng, 0.3);
            assertEquals(stated.findings(), d.findings());
            FindingMention pneumothorax = d.present().get(1);
            open += pneumothorax.laterality() == Laterality.UNSPECIFIED ? 1 : 0;
            // an attribute the report left open stays open; a stated one is kept or opened, never changed
            assertTrue(pneumothorax.zone() == Zone.UPPER || pneumothorax.zone() == Zone.UNSPECIFIED);
            assertTrue(d.present().get(0).laterality() == Laterality.UNSPECIFIED);
        }
        assertEquals(0.3, (double) open / draws, 0.04);
    }

    @Test
    void freeTextGoesThroughTheReportParser() {
        Condition c = Condition.parse("moderate right pleural effusion");
        assertEquals(
                List.of(FindingMention.present(
                        Finding.PLEURAL_EFFUSION, Severity.MODERATE, Laterality.RIGHT, Zone.UNSPECIFIED)),
                c.present());
        assertFalse(c.isNull());

        Condition two = Condition.parse("small left apical pneumothorax and mild edema");
        assertEquals(List.of(Finding.EDEMA, Finding.PNEUMOTHORAX), two.findings());
        assertEquals(Zone.UPPER, two.present().get(1).zone());

        // "no effusion" asks for a study without effusion: the parser reads that as No Finding
        Condition none = Condition.parse("no effusion");
        assertEquals(List.of(Finding.NO_FINDING), none.findings());
        assertFalse(none.contains(Finding.PLEURAL_EFFUSION));
    }

    @Test
    void aFindingsOwnNameIsThatFindingEvenWhereTheReportReaderWouldSeeANegation() {
        assertEquals(List.of(Finding.NO_FINDING), Condition.parse("no finding").findings());
        assertEquals(List.of(Finding.NO_FINDING), Condition.parse("No Finding").findings());
        assertEquals(
                List.of(Finding.PLEURAL_EFFUSION),
                Condition.parse(" pleural_effusion ").findings());
        assertEquals(
                List.of(Finding.SUPPORT_DEVICES),
                Condition.parse("Support Devices").findings());
    }

    @Test
    void unrecognizedUncertainOrEmptyTextIsAClearError() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Condition.parse("banana"))
                .getMessage()
                .contains("no finding recognized in 'banana'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Condition.parse(" "))
                .getMessage()
                .contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Condition.parse("possible pneumonia"))
                .getMessage()
                .contains("uncertain: Pneumonia"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Condition.ofFindingName("Lung Banana"))
                .getMessage()
                .contains("unknown finding 'Lung Banana'; known findings: No Finding"));
        assertThrows(IllegalArgumentException.class, () -> Condition.of(List.of()));
        FindingMention absent = new FindingMention(Finding.EDEMA, Status.ABSENT, null, null, null);
        assertThrows(IllegalArgumentException.class, () -> Condition.of(List.of(absent)));
        FindingMention edema = FindingMention.present(Finding.EDEMA, null, null, null);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Condition.of(List.of(edema, edema)))
                .getMessage()
                .contains("each finding once"));
    }

    @Test
    void studiesKeepPresentFindingsOnly() {
        FindingMention effusion =
                FindingMention.present(Finding.PLEURAL_EFFUSION, Severity.MILD, Laterality.LEFT, null);
        FindingMention absentEdema = new FindingMention(Finding.EDEMA, Status.ABSENT, null, null, null);
        FindingMention uncertain = new FindingMention(Finding.PNEUMONIA, Status.UNCERTAIN, null, null, null);
        assertEquals(
                List.of(effusion),
                Condition.ofStudy(List.of(absentEdema, effusion, uncertain)).present());
        Condition empty = Condition.ofStudy(List.of(uncertain));
        assertTrue(empty.present().isEmpty());
        assertFalse(empty.isNull(), "no present finding is a condition of its own, not the null one");
    }

    @Test
    void interventionsEditTheSourceFindings() {
        FindingMention effusion =
                FindingMention.present(Finding.PLEURAL_EFFUSION, Severity.MILD, Laterality.LEFT, null);
        FindingMention cardiomegaly = FindingMention.present(Finding.CARDIOMEGALY, null, null, null);
        Condition removed = Condition.intervene(
                List.of(effusion, cardiomegaly),
                List.of(new FindingMention(Finding.PLEURAL_EFFUSION, Status.ABSENT, null, null, null)));
        assertEquals(List.of(Finding.CARDIOMEGALY), removed.findings());
        Condition worse = Condition.intervene(
                List.of(effusion),
                Condition.parse("severe right pleural effusion").present());
        assertEquals(Severity.SEVERE, worse.present().get(0).severity());
        Condition healthy = Condition.intervene(
                List.of(effusion),
                List.of(new FindingMention(Finding.PLEURAL_EFFUSION, Status.ABSENT, null, null, null)));
        assertEquals(List.of(Finding.NO_FINDING), healthy.findings());
        Condition added = Condition.intervene(
                List.of(FindingMention.present(Finding.NO_FINDING, null, null, null)), List.of(cardiomegaly));
        assertEquals(List.of(Finding.CARDIOMEGALY), added.findings());
    }

    @Test
    void encodingPadsMentionsAndSeparatesNullFromEmpty() {
        ConditionBatch b = ConditionBatch.encode(List.of(
                Condition.NULL,
                Condition.ofStudy(List.of()),
                Condition.parse("small left apical pneumothorax and mild edema")));
        assertEquals(2, b.slots);
        assertEquals(1f, b.countBucket[0]);
        assertEquals(1f, b.countBucket[ConditionBatch.COUNT_BUCKETS + 1]);
        assertEquals(1f, b.countBucket[2 * ConditionBatch.COUNT_BUCKETS + 3]);
        assertEquals(0.5f, b.inverseCount[2]);
        assertEquals(0f, b.mask[0] + b.mask[1] + b.mask[2] + b.mask[3]);
        assertEquals(2f, b.mask[4] + b.mask[5]);
        assertEquals(1f, b.finding[4 * ConditionBatch.FINDINGS + Finding.EDEMA.ordinal()]);
    }
}
