package dev.causalcxr.core.reports.eval.iu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.findings.Finding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IU / OpenI loader on a tiny collection written for the test (the real one is never copied here). */
class IuXrayCollectionTest {

    /** Writes a three-file collection in the exported layouts; the rows are invented. */
    static Path writeCollection(Path dir, String reportsCsv, String goldCsv, String testList) throws IOException {
        Files.writeString(dir.resolve(IuXrayCollection.REPORTS_FILE), reportsCsv);
        Files.writeString(dir.resolve(IuXrayCollection.NLM_GOLD_FILE), goldCsv);
        Files.writeString(dir.resolve(IuXrayCollection.TEST_LIST_FILE), testList);
        return dir;
    }

    static final String REPORTS_HEADER = "uid,MeSH,Problems,image,indication,comparison,findings,impression\n";
    static final String GOLD_HEADER = "filename,Atelectasis,Cardiomegaly,Effusion,Infiltration,Mass,Nodule,Pneumonia,"
            + "Pneumothorax,Consolidation,Edema,Emphysema,Fibrosis,Pleural_Thickening,Hernia,normal\n";

    @Test
    void keepsIndexedReportsWithTextAndReadsNlmGoldAndTestList(@TempDir Path dir) throws IOException {
        writeCollection(
                dir,
                REPORTS_HEADER
                        + "1,normal,normal,img1.png,Cough.,None.,\"Clear lungs, no effusion.\",Normal chest.\n"
                        + "2,Pleural Effusion/right/small,x,img2.png,,,Small right effusion.,\n"
                        + "3,No Indexing,x,img3.png,,,Portable view only.,Limited.\n"
                        + "4,normal,normal,img4.png,,,,\n"
                        + "5,Cardiomegaly/mild;Pulmonary Atelectasis/base/left,x,img5.png,,,,\"Mild cardiomegaly.\n"
                        + "Left basilar atelectasis.\"\n",
                GOLD_HEADER
                        + "CXR1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1\n"
                        + "CXR2,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0\n"
                        + "CXR5,1,1,0,1,0,0,0,0,0,0,1,0,0,0,0\n",
                "CXR2\nCXR5\n\n");

        IuXrayCollection c = IuXrayCollection.load(dir);

        assertEquals(5, c.rowsRead());
        assertEquals(
                List.of(1, 2, 5),
                c.reports().stream().map(IuReport::uid).toList(),
                "no 'No Indexing' report (3), no report without findings or impression (4)");
        IuReport first = c.reports().get(0);
        assertEquals("CXR1", first.studyId());
        assertEquals("FINDINGS: Clear lungs, no effusion. IMPRESSION: Normal chest.", first.text());
        assertEquals("FINDINGS: Small right effusion.", c.reports().get(1).text());
        assertEquals(
                "IMPRESSION: Mild cardiomegaly.\nLeft basilar atelectasis.",
                c.reports().get(2).text());
        assertTrue(first.oddUid());
        assertFalse(c.reports().get(1).oddUid());

        assertEquals(Set.of(), c.nlmPositives("CXR1"));
        assertEquals(EnumSet.of(Finding.PLEURAL_EFFUSION), c.nlmPositives("CXR2"));
        assertEquals(
                EnumSet.of(Finding.ATELECTASIS, Finding.CARDIOMEGALY),
                c.nlmPositives("CXR5"),
                "Infiltration and Emphysema have no counterpart");
        assertNull(c.nlmPositives("CXR9"));
        assertEquals(Set.of("CXR2", "CXR5"), c.testList());
        assertEquals(9, IuXrayCollection.nlmFindings().size());
    }

    @Test
    void aMissingFileOrColumnIsNamedWithoutReportText(@TempDir Path dir) throws IOException {
        assertFalse(IuXrayCollection.isPresent(dir));
        IllegalArgumentException missing =
                assertThrows(IllegalArgumentException.class, () -> IuXrayCollection.load(dir));
        assertTrue(missing.getMessage().contains(IuXrayCollection.REPORTS_FILE), missing.getMessage());

        writeCollection(dir, "uid,MeSH,findings\n7,normal,Secret words here.\n", GOLD_HEADER, "");
        assertTrue(IuXrayCollection.isPresent(dir));
        IllegalArgumentException column =
                assertThrows(IllegalArgumentException.class, () -> IuXrayCollection.load(dir));
        assertTrue(column.getMessage().contains("'impression'"), column.getMessage());
        assertFalse(column.getMessage().contains("Secret"));
    }
}
