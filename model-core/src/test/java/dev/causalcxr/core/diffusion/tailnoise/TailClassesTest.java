package dev.causalcxr.core.diffusion.tailnoise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.causalcxr.core.diffusion.Condition;
import dev.causalcxr.core.findings.Finding;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TailClassesTest {

    @Test
    void rarerThanTheThresholdRarestFirst() {
        List<Condition> studies = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            studies.add(Condition.of(Finding.NO_FINDING));
        }
        for (int i = 0; i < 12; i++) {
            studies.add(Condition.of(Finding.PLEURAL_EFFUSION));
        }
        for (int i = 0; i < 3; i++) {
            studies.add(Condition.parse("pneumothorax and pleural effusion"));
        }
        for (int i = 0; i < 5; i++) {
            studies.add(Condition.of(Finding.CARDIOMEGALY));
        }
        // 100 studies: pneumothorax 3 %, cardiomegaly 5 %, effusion 15 %, no finding 80 %
        assertEquals(List.of(Finding.PNEUMOTHORAX, Finding.CARDIOMEGALY), TailClasses.select(studies, 0.10));
        assertEquals(
                List.of(Finding.PNEUMOTHORAX, Finding.CARDIOMEGALY, Finding.PLEURAL_EFFUSION),
                TailClasses.select(studies, 0.5));
        assertThrows(IllegalArgumentException.class, () -> TailClasses.select(studies, 0));
    }
}
