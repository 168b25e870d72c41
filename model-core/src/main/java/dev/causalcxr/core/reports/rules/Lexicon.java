package dev.causalcxr.core.reports.rules;

import static dev.causalcxr.core.findings.Finding.ATELECTASIS;
import static dev.causalcxr.core.findings.Finding.CARDIOMEGALY;
import static dev.causalcxr.core.findings.Finding.CONSOLIDATION;
import static dev.causalcxr.core.findings.Finding.EDEMA;
import static dev.causalcxr.core.findings.Finding.ENLARGED_CARDIOMEDIASTINUM;
import static dev.causalcxr.core.findings.Finding.FRACTURE;
import static dev.causalcxr.core.findings.Finding.LUNG_LESION;
import static dev.causalcxr.core.findings.Finding.LUNG_OPACITY;
import static dev.causalcxr.core.findings.Finding.MASS;
import static dev.causalcxr.core.findings.Finding.NODULE;
import static dev.causalcxr.core.findings.Finding.PLEURAL_EFFUSION;
import static dev.causalcxr.core.findings.Finding.PLEURAL_OTHER;
import static dev.causalcxr.core.findings.Finding.PNEUMONIA;
import static dev.causalcxr.core.findings.Finding.PNEUMOTHORAX;
import static dev.causalcxr.core.findings.Finding.SUPPORT_DEVICES;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.findings.Zone;
import dev.causalcxr.core.reports.rules.Term.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The phrase table of the rule-based extractor, compiled once into a token trie so that matching a
 * report is a single longest-match walk over its tokens (no regular expressions per report).
 *
 * <p>Phrases are written as space-separated lower-case tokens, the way {@link ReportTokenizer} emits
 * them (hyphens split words, so "right-sided" is "right sided" and "port-a-cath" is "port a cath").
 * Where phrases overlap the longest one wins, which is how exclusions ("pericardial effusion") and
 * compound terms ("airspace consolidation") take precedence over their parts.
 */
final class Lexicon {

    /** One trie node per token; {@code term} is set where a phrase ends. */
    static final class Node {
        final Map<String, Node> next = new HashMap<>();
        Term term;
    }

    private final Node root = new Node();

    /**
     * "Borderline": an uncertain predicate of a heart or mediastinum subject, and where no subject
     * takes it an uncertainty cue for what follows ("borderline cardiomegaly").
     */
    static final Term BORDERLINE = Term.predicate(Status.UNCERTAIN);

    /**
     * Blunting of a costophrenic angle: the radiographic sign of an effusion. It stands for an effusion
     * unless the sentence hedges what causes it ("blunting, likely due to pleural thickening").
     */
    static final Term BLUNTING = new Term(
            Kind.MENTION,
            List.of(Finding.PLEURAL_EFFUSION),
            null,
            Severity.UNSPECIFIED,
            Laterality.UNSPECIFIED,
            Zone.LOWER);

    /** Predicate form of {@link #BLUNTING} ("the right costophrenic angle is blunted"). */
    static final Term BLUNTED = Term.predicate(Status.PRESENT, Severity.UNSPECIFIED);

    private static final Lexicon CHEXPERT = build(LabelConvention.CHEXPERT);
    private static final Lexicon MESH = build(LabelConvention.MESH);

    /** The phrase table of the default convention. */
    static Lexicon standard() {
        return CHEXPERT;
    }

    static Lexicon of(LabelConvention convention) {
        return convention == LabelConvention.MESH ? MESH : CHEXPERT;
    }

    Node root() {
        return root;
    }

    private void add(Term term, String... phrases) {
        for (String phrase : phrases) {
            Node n = root;
            for (String tok : phrase.toLowerCase(Locale.ROOT).split(" +")) {
                n = n.next.computeIfAbsent(tok, k -> new Node());
            }
            if (n.term != null && !n.term.equals(term)) {
                throw new IllegalStateException("lexicon phrase defined twice: " + phrase);
            }
            n.term = term;
        }
    }

    private void mention(Finding f, String... phrases) {
        add(Term.mention(f), phrases);
    }

    /** Gives phrases that the base table defines a different meaning (a convention's reading). */
    private void redefine(Term term, String... phrases) {
        for (String phrase : phrases) {
            Node n = root;
            for (String tok : phrase.toLowerCase(Locale.ROOT).split(" +")) {
                n = n.next.get(tok);
                if (n == null) {
                    break;
                }
            }
            if (n == null || n.term == null) {
                throw new IllegalStateException("lexicon phrase to redefine is not defined: " + phrase);
            }
            n.term = term;
        }
    }

    private static Lexicon build(LabelConvention convention) {
        Lexicon x = new Lexicon();
        x.findingMentions();
        x.mimics();
        x.anatomicalSubjects();
        x.cues();
        x.structure();
        x.modifiers();
        x.changeWords();
        if (convention == LabelConvention.MESH) {
            x.meshConvention();
        }
        return x;
    }

    /** The readings of {@link LabelConvention#MESH} where it differs from the default. */
    private void meshConvention() {
        Term otherHeading = Term.of(Kind.IGNORE); // named, but not one of our findings under MeSH
        redefine(
                otherHeading,
                "vascular congestion",
                "pulmonary vascular congestion",
                "venous congestion",
                "pulmonary venous congestion",
                "vascular engorgement",
                "pulmonary venous hypertension",
                "venous hypertension",
                "congestive heart failure",
                "chf",
                "heart failure",
                "fluid overload",
                "volume overload",
                "cephalization",
                "vascular redistribution",
                "congestion",
                "congestive failure");
        redefine(
                otherHeading, "infection", "infections", "infectious process", "infectious", "infective", "aspiration");
        redefine(otherHeading, "volume loss");
        redefine(Term.mention(LUNG_OPACITY), "nodular opacity", "nodular opacities", "micronodular opacities");
        // Density, Markings, Cicatrix and Fibrosis are headings of their own, not an opacity
        redefine(otherHeading, "density", "densities", "nodular density", "nodular densities");
        redefine(
                otherHeading,
                "interstitial markings",
                "interstitial marking",
                "prominence of the interstitial markings",
                "reticular markings",
                "interstitial prominence");
        redefine(otherHeading, "scarring", "scar", "scars", "fibrosis", "fibrotic changes");
        redefine(Term.predicate(Status.PRESENT), "borderline", "borderline enlarged", "borderline in size");
        redefine(Term.predicate(Status.PRESENT), "prominence of"); // Mediastinum/prominent
        // an enlarged cardiac silhouette is its own heading (Cardiac Shadow): the heart, or fluid around it
        redefine(
                Term.subject(),
                "cardiac silhouette",
                "cardiac contour",
                "cardiac contours",
                "cardiac shadow",
                "heart shadow",
                "heart silhouette",
                "cardiac silhouette size");
        redefine(
                otherHeading,
                "enlarged cardiac silhouette",
                "enlargement of the cardiac silhouette",
                "enlarged heart silhouette");
        Term asserted = Term.of(Kind.NOUN_PHRASE); // probable and likely findings are indexed
        redefine(asserted, "probable", "probably", "likely", "most likely", "more likely");
        redefine(Term.of(Kind.OR), "versus", "vs"); // both alternatives are indexed
        redefine(
                asserted,
                "most suggestive of",
                "strongly suggestive of",
                "most typical for",
                "favor",
                "favored",
                "favoring",
                "favored to represent");
        redefine(Term.of(Kind.VERB), "is favored", "are favored");
        // "a 3 cm nodule/mass" is one lesion between the two sizes; the coders index it as a Nodule (the
        // slash comes out of the tokenizer as "or", so "no nodule or mass" names only Nodule here)
        add(Term.mention(NODULE), "nodule or mass", "mass or nodule");
        // a mass-like opacity is indexed twice, as the Opacity and as the Mass it looks like
        Term masslikeOpacity = new Term(
                Kind.MENTION,
                List.of(MASS, LUNG_OPACITY),
                null,
                Severity.UNSPECIFIED,
                Laterality.UNSPECIFIED,
                Zone.UNSPECIFIED);
        redefine(
                masslikeOpacity,
                "mass like opacity",
                "masslike opacity",
                "mass like opacities",
                "masslike opacities",
                "mass like opacification",
                "masslike opacification");
        // MeSH's Mass heading takes the site as a qualifier (Mass/breast, Mass/thorax, Mass/right/paratracheal):
        // a mass of the chest outside the lung is indexed as a Mass, not left out as under CheXpert
        redefine(
                Term.mention(MASS),
                "mediastinal mass",
                "mediastinal masses",
                "paratracheal mass",
                "chest wall mass",
                "breast mass",
                "breast masses");
        redefine(otherHeading, "hydropneumothorax", "hydro pneumothorax"); // a heading of its own
        // what a lesion is thought to be is indexed under Neoplasms, not as a lung lesion
        redefine(
                otherHeading,
                "neoplasm",
                "neoplasms",
                "tumor",
                "tumors",
                "tumour",
                "malignancy",
                "metastasis",
                "metastases",
                "metastatic disease",
                "carcinoma");
    }

    private void findingMentions() {
        mention(
                LUNG_OPACITY,
                "opacity",
                "opacities",
                "opacification",
                "opacifications",
                "opacified",
                "airspace disease",
                "air space disease",
                "airspace process",
                "air space process",
                "airspace opacity",
                "airspace opacities",
                "air space opacity",
                "air space opacities",
                "airspace opacification",
                "infiltrate",
                "infiltrates",
                "infiltration",
                "infiltrative",
                "haziness",
                "density",
                "densities",
                "ground glass",
                "groundglass",
                "interstitial markings",
                "interstitial marking",
                "interstitial pattern",
                "reticular markings",
                "reticulation",
                "reticular pattern",
                "peribronchial thickening",
                "peribronchial cuffing",
                "bronchial wall thickening",
                "interstitial prominence",
                "prominence of the interstitial markings",
                "scarring",
                "scar",
                "scars",
                "fibrosis",
                "fibrotic changes",
                "parenchymal abnormality");
        mention(
                CARDIOMEGALY,
                "cardiomegaly",
                "cardiomegally",
                "cardiac enlargement",
                "enlarged heart",
                "enlarged heart silhouette",
                "enlargement of the heart",
                "enlarged cardiac silhouette",
                "enlargement of the cardiac silhouette");
        mention(
                ENLARGED_CARDIOMEDIASTINUM,
                "mediastinal widening",
                "widened mediastinum",
                "widening of the mediastinum",
                "mediastinal enlargement",
                "enlarged cardiomediastinum",
                "enlarged cardiomediastinal silhouette",
                "widened superior mediastinum");
        mention(CONSOLIDATION, "consolidative opacity", "consolidative opacities");
        mention(
                NODULE,
                "nodule",
                "nodules",
                "nodular opacity",
                "nodular opacities",
                "nodular density",
                "nodular densities",
                "micronodules",
                "micronodular opacities",
                "pulmonary nodule",
                "pulmonary nodules",
                "lung nodule",
                "lung nodules");
        // a "mass-like opacity" is how a mass is described; a "mass-like consolidation" stays a consolidation
        mention(
                MASS,
                "mass",
                "masses",
                "pulmonary mass",
                "mass like opacity",
                "masslike opacity",
                "mass like opacities",
                "masslike opacities",
                "mass like opacification",
                "masslike opacification");
        mention(CONSOLIDATION, "mass like consolidation", "masslike consolidation");
        mention(
                LUNG_LESION,
                "lesion",
                "lesions",
                "neoplasm",
                "neoplasms",
                "tumor",
                "tumors",
                "tumour",
                "malignancy",
                "metastasis",
                "metastases",
                "metastatic disease",
                "carcinoma",
                "cavitary lesion",
                "cavity",
                "cavitary mass");
        mention(
                EDEMA,
                "edema",
                "oedema",
                "pulmonary edema",
                "interstitial edema",
                "alveolar edema",
                "vascular congestion",
                "pulmonary vascular congestion",
                "venous congestion",
                "pulmonary venous congestion",
                "vascular engorgement",
                "pulmonary venous hypertension",
                "venous hypertension",
                "congestive heart failure",
                "chf",
                "heart failure",
                "fluid overload",
                "volume overload",
                "kerley b lines",
                "kerley lines",
                "kerley b",
                "cephalization",
                "vascular redistribution",
                "congestion",
                "interstitial pulmonary edema",
                "congestive failure");
        mention(
                CONSOLIDATION,
                "consolidation",
                "consolidations",
                "consolidaton",
                "consolidative",
                "consolidated",
                "airspace consolidation",
                "air space consolidation",
                "consolidative process");
        mention(
                PNEUMONIA,
                "pneumonia",
                "pneumonias",
                "pnuemonia",
                "pneumona",
                "bronchopneumonia",
                "pneumonitis",
                "infection",
                "infections",
                "infectious process",
                "infectious",
                "infective",
                "aspiration",
                "aspiration pneumonia",
                "pna");
        mention(
                ATELECTASIS,
                "atelectasis",
                "atelectases",
                "atelectsis",
                "atelactasis",
                "atelectatic",
                "atelectatic changes",
                "atelectatic change",
                "collapse",
                "collapsed",
                "volume loss");
        mention(
                PNEUMOTHORAX,
                "pneumothorax",
                "pneumothoraces",
                "pneumothroax",
                "pneumothoraxes",
                "ptx",
                "pleural air",
                "pleural air collection");
        add(Term.mention(PNEUMOTHORAX, PLEURAL_EFFUSION), "hydropneumothorax", "hydro pneumothorax");
        mention(
                PLEURAL_EFFUSION,
                "effusion",
                "effusions",
                "efusion",
                "efusions",
                "effussion",
                "pleural effusion",
                "pleural effusions",
                "pleural fluid",
                "hydrothorax",
                "layering fluid",
                "hemothorax",
                "empyema",
                "fluid in the pleural space");
        add(
                BLUNTING,
                "costophrenic angle blunting",
                "costophrenic blunting",
                "blunting of the costophrenic angle",
                "blunting of the costophrenic angles",
                "blunted costophrenic angle",
                "blunted costophrenic angles");
        mention(
                PLEURAL_OTHER,
                "pleural thickening",
                "pleural plaque",
                "pleural plaques",
                "pleural scarring",
                "pleural scar",
                "pleural calcification",
                "pleural calcifications",
                "fibrothorax",
                "pleural parenchymal scarring",
                "pleuroparenchymal scarring",
                "pleural parenchymal scar",
                "apical cap",
                "apical caps",
                "apical capping",
                "pleural irregularity");
        mention(FRACTURE, "fracture", "fractures", "fractured", "fx", "fxs");
        mention(
                SUPPORT_DEVICES,
                "et tube",
                "ett",
                "endotracheal tube",
                "endotracheal",
                "tracheostomy",
                "tracheostomy tube",
                "trach",
                "trach tube",
                "ng tube",
                "ngt",
                "og tube",
                "ogt",
                "nasogastric tube",
                "orogastric tube",
                "nasogastric",
                "orogastric",
                "enteric tube",
                "feeding tube",
                "gastric tube",
                "dobhoff",
                "dobbhoff",
                "dobhoff tube",
                "dobbhoff tube",
                "gastrostomy tube",
                "g tube",
                "peg tube",
                "chest tube",
                "chest tubes",
                "thoracostomy tube",
                "pleural drain",
                "pigtail",
                "pigtail catheter",
                "catheter",
                "catheters",
                "central line",
                "central lines",
                "central venous line",
                "central venous catheter",
                "cvc",
                "picc",
                "picc line",
                "picc lines",
                "midline catheter",
                "port",
                "port a cath",
                "portacath",
                "porta cath",
                "power port",
                "mediport",
                "chest port",
                "swan",
                "swan ganz",
                "swan ganz catheter",
                "pa catheter",
                "pulmonary artery catheter",
                "ij line",
                "ij catheter",
                "ij central line",
                "ij",
                "subclavian line",
                "subclavian catheter",
                "dialysis catheter",
                "hemodialysis catheter",
                "arterial line",
                "venous line",
                "pacemaker",
                "pacer",
                "pacemaker leads",
                "pacer leads",
                "pacing wires",
                "pacing leads",
                "pacemaker lead",
                "pacing lead",
                "pacemaker wires",
                "icd",
                "aicd",
                "defibrillator",
                "pacemaker defibrillator",
                "cardiac device",
                "loop recorder",
                "sternotomy wires",
                "sternal wires",
                "median sternotomy wires",
                "sternal sutures",
                "sternotomy sutures",
                "valve replacement",
                "prosthetic valve",
                "prosthetic heart valve",
                "prosthetic aortic valve",
                "prosthetic mitral valve",
                "mitral valve replacement",
                "aortic valve replacement",
                "valve prosthesis",
                "annuloplasty ring",
                "mitral annuloplasty",
                "lvad",
                "ventricular assist device",
                "left ventricular assist device",
                "assist device",
                "impella",
                "iabp",
                "intra aortic balloon pump",
                "intraaortic balloon pump",
                "balloon pump",
                "ecmo",
                "ecmo cannula",
                "cannula",
                "drain",
                "drains",
                "surgical drain",
                "lines and tubes",
                "tubes and lines",
                "lines or tubes",
                "tubes or lines",
                "lines tubes",
                "support devices",
                "support lines",
                "monitoring devices",
                "medical devices",
                "devices",
                "device",
                // a catheter's or tube's tip, where de-identification took the device's name ("chest XXXX tip")
                "tip",
                "its tip",
                "the tip",
                "catheter tip",
                "tube tip",
                "distal tip",
                "stent",
                "esophageal stent",
                "tracheal stent",
                "airway stent",
                "tubes");
        // Phrases that contain a vocabulary word but are not that finding.
        add(
                Term.of(Kind.IGNORE),
                "mass effect",
                "body mass",
                "pericardial effusion",
                "pericardial effusions",
                "joint effusion",
                "soft tissue edema",
                "subcutaneous edema",
                "chest wall edema",
                "lytic lesion",
                "lytic lesions",
                "sclerotic lesion",
                "sclerotic lesions",
                "osseous lesion",
                "osseous lesions",
                "bony lesion",
                "bony lesions",
                "skin lesion",
                "skin lesions",
                "sclerotic density",
                "sclerotic densities",
                "soft tissue density",
                "soft tissue densities",
                "metallic density",
                "metallic densities",
                "osseous density",
                "bony density",
                "osseous metastases",
                "osseous metastatic disease",
                "bone metastases",
                "bony metastases",
                "pleural line",
                "visceral pleural line",
                "breast mass",
                "pulmonary vasculature",
                "heart valve",
                // masses outside the lung are not a lung mass
                "mediastinal mass",
                "mediastinal masses",
                "thyroid mass",
                "pericardial mass",
                "cardiac mass",
                "chest wall mass",
                "soft tissue mass",
                "soft tissue masses",
                "neck mass",
                "axillary mass",
                "abdominal mass",
                "breast masses",
                "paratracheal mass");
    }

    private void mimics() {
        // Things that can look like a finding; a hedge towards one of them makes the finding uncertain.
        add(
                Term.of(Kind.MIMIC),
                "nipple shadow",
                "nipple shadows",
                "nipple",
                "skin fold",
                "skin folds",
                "overlapping soft tissue",
                "overlapping soft tissues",
                "soft tissue",
                "soft tissues",
                "overlying soft tissue",
                "overlapping vascular structures",
                "vascular structures",
                "overlapping vessels",
                "vessels",
                "vessel",
                "summation",
                "summation of shadows",
                "artifact",
                "overlap",
                "overlapping structures",
                "end on vessel",
                "costochondral calcification",
                "bone island",
                "confluence of shadows");
    }

    private void anatomicalSubjects() {
        add(
                Term.subject(CARDIOMEGALY),
                "heart",
                "heart size",
                "cardiac size",
                "cardiac silhouette",
                "cardiac contour",
                "cardiac contours",
                "cardiac shadow",
                "size of the heart",
                "cardiac diameter",
                "heart shadow",
                "heart silhouette",
                "cardiac silhouette size");
        add(
                Term.subject(ENLARGED_CARDIOMEDIASTINUM),
                "mediastinum",
                "mediastinal contour",
                "mediastinal contours",
                "mediastinal silhouette",
                "mediastinal width",
                "cardiomediastinal silhouette",
                "cardiomediastinal silhouettes",
                "cardiomediastinal contour",
                "cardiomediastinal contours",
                "cardiomediastinal size",
                "cardiomediastinal",
                "mediastinal and hilar contours",
                "hilar and mediastinal contours",
                "cardiomediastinal and hilar contours",
                "mediastinal and hilar silhouettes",
                "hilar and mediastinal silhouettes",
                "cardiomediastinal and hilar silhouettes",
                "mediastinal",
                "superior mediastinum");
        add(
                Term.subject(CARDIOMEGALY, ENLARGED_CARDIOMEDIASTINUM),
                "cardiac and mediastinal contours",
                "cardiac and mediastinal silhouettes",
                "cardiac and mediastinal silhouette",
                "heart and mediastinal contours",
                "heart and mediastinal silhouette",
                "cardiac mediastinal contours",
                "heart and mediastinum");
        add(
                new Term(
                        Kind.SUBJECT,
                        List.of(PLEURAL_EFFUSION),
                        null,
                        Severity.UNSPECIFIED,
                        Laterality.UNSPECIFIED,
                        Zone.LOWER),
                "costophrenic angle",
                "costophrenic angles",
                "costophrenic sulci",
                "costophrenic sulcus",
                "cp angle",
                "cp angles",
                "costophrenic recesses",
                "costophrenic recess");

        add(
                Term.predicate(Status.PRESENT),
                "enlarged",
                "enlargement",
                "increased",
                "widened",
                "widening",
                "wide",
                "enlargement of",
                "increased in size",
                "is large",
                "are large",
                "remains large",
                "appears large");
        // "large" alone is a severity word; after a copula or a degree word it says the organ is enlarged
        add(Term.predicate(Status.PRESENT, Severity.MILD), "slightly large", "mildly large");
        add(BLUNTED, "blunted", "blunting", "blunting of");
        add(
                Term.predicate(Status.ABSENT),
                "normal",
                "within normal limits",
                "wnl",
                "unremarkable",
                "normal in size",
                "normal size",
                "normal sized",
                "top normal",
                "upper normal",
                "upper limits of normal",
                "upper limit of normal",
                "high normal",
                "sharp",
                "sharply defined",
                "preserved",
                "normal caliber",
                "within normal range",
                "not enlarged",
                "clear",
                "within limits of normal",
                "within the limits of normal",
                "within normal limits for size",
                "within normal limits in size");
        add(BORDERLINE, "borderline", "borderline enlarged", "borderline in size");
        add(Term.predicate(Status.UNCERTAIN, Severity.MILD), "prominence of"); // as "prominent"
        add(
                new Term(
                        Kind.PREDICATE,
                        List.of(),
                        Status.UNCERTAIN,
                        Severity.MILD,
                        Laterality.UNSPECIFIED,
                        Zone.UNSPECIFIED),
                "mildly prominent",
                "prominent");
    }

    private void cues() {
        add(
                Term.of(Kind.NEG_PRE),
                "no",
                "not",
                "without",
                "free of",
                "negative for",
                "clear of",
                "absence of",
                "resolution of",
                "interval resolution of",
                "removal of",
                "interval removal of",
                "nor",
                "neither",
                "no evidence of",
                "no new",
                "none",
                "ruled out",
                "never");
        add(
                Term.of(Kind.NEG_POST),
                "absent",
                "has resolved",
                "have resolved",
                "is resolved",
                "are resolved",
                "has been removed",
                "have been removed",
                "been removed",
                "removed",
                "removal",
                "were removed",
                "was removed",
                "has been discontinued",
                "have been discontinued",
                "discontinued",
                "not seen",
                "not identified",
                "not visualized",
                "not visible",
                "not appreciated",
                "not evident",
                "not present",
                "not demonstrated",
                "not detected",
                "not apparent",
                "not definitely seen",
                "has cleared",
                "have cleared",
                "cleared",
                "gone",
                "not well seen",
                "not well visualized",
                "not well demonstrated",
                "not clearly seen",
                "not clearly visualized",
                "not definitely identified",
                "not definitely visualized");
        add(Term.of(Kind.NEG_BOTH), "no longer", "resolved");
        add(
                Term.of(Kind.UNC_PRE),
                "possible",
                "possibly",
                "probable",
                "probably",
                "likely",
                "most likely",
                "more likely",
                "less likely",
                "may",
                "might",
                "could",
                "questionable",
                "question of",
                "suspicion for",
                "suspicion of",
                "concern for",
                "raising concern for",
                "suggesting",
                "suggests",
                "suggest",
                "may represent",
                "could represent",
                "could reflect",
                "may reflect",
                "may be",
                "differential",
                "differential diagnosis",
                "consider",
                "presumed",
                "presumably",
                "equivocal",
                "indeterminate",
                "uncertain",
                "suspect",
                "favor",
                "favored",
                "favoring",
                "favored to represent",
                "either",
                "possibility of",
                "raising the possibility of",
                "potential",
                "perhaps",
                "maybe",
                "not excluding",
                "rule out",
                "to exclude",
                "evaluate for",
                "evaluation for",
                "suggestion of",
                "correlate for",
                "correlate clinically for",
                "clinically correlate for",
                "correlation for",
                "clinical correlation for",
                "detecting",
                "detection of",
                "to detect",
                // what a further study is for ("a CT would help to identify any nodule") is not a finding
                "to identify",
                "to assess for",
                "to evaluate for",
                "to look for",
                "to search for");
        add(
                Term.of(Kind.DIFFERENTIAL),
                "differential diagnosis includes",
                "differential diagnosis include",
                "differential includes",
                "differential include",
                "differential considerations include",
                "differential considerations",
                "differential diagnoses include",
                "differential diagnoses",
                "differential diagnosis including",
                "differential diagnoses including",
                "differential including",
                "differential considerations including",
                "differential diagnosis would include",
                "differential would include");
        add(
                Term.of(Kind.UNC_POST),
                "is possible",
                "are possible",
                "is questioned",
                "are questioned",
                "questioned",
                "is a consideration",
                "are a consideration",
                "remains a consideration",
                "is also a consideration",
                "would be a consideration",
                "would be considerations",
                "is a possibility",
                "are a possibility",
                "is also a possibility",
                "remains a possibility",
                "would be a possibility",
                "is another possibility",
                "is also possible",
                "are also possible",
                "is considered",
                "could be present",
                "may be present",
                "remains possible",
                "is suggested",
                "is favored",
                "are favored",
                "is in the differential",
                "are in the differential",
                "in the differential");
        doubleNegations();
        add(
                Term.of(Kind.UNC_BOTH),
                "versus",
                "vs",
                "?",
                "suspected",
                "question",
                "is favored over",
                "are favored over",
                "favored over",
                "rather than",
                "more likely than",
                "less likely than",
                // a condition on the reading ("fits pneumonia in the right clinical context"), either side
                "in the appropriate clinical setting",
                "in the right clinical setting",
                "in the proper clinical setting",
                "in the correct clinical setting",
                "in the appropriate clinical context",
                "in the right clinical context");
        add(
                Term.of(Kind.INHERIT),
                "to suggest",
                "to indicate",
                "to represent",
                "suggestive of",
                "most suggestive of",
                "strongly suggestive of",
                "most typical for",
                "typical for",
                "concerning for",
                "suspicious for",
                "suspicious of",
                "worrisome for",
                "characteristic of",
                "indicative of",
                "diagnostic of",
                "to suggest the presence of",
                "to account for");
        add(
                Term.of(Kind.PSEUDO),
                "no change",
                "no interval change",
                "no significant change",
                "no significant interval change",
                "no appreciable change",
                "no substantial change",
                "no definite change",
                "no other change",
                "no notable change",
                "no real change",
                "no appreciable interval change",
                "no gross change",
                "without change",
                "without interval change",
                "without significant change",
                "without significant interval change",
                "not changed",
                "not significantly changed",
                "no increase",
                "no significant increase",
                "no decrease",
                "no worsening",
                "no interval worsening",
                "without increase",
                "not only",
                "nearly resolved",
                "almost resolved",
                "partially resolved",
                "largely resolved",
                "almost completely resolved",
                "nearly completely resolved",
                "mostly resolved",
                "near complete resolution of",
                "near resolution of",
                "partial resolution of",
                "incompletely resolved",
                "not completely resolved",
                "not fully resolved",
                "not resolved",
                "has not resolved",
                "have not resolved",
                "not removed",
                "not been removed",
                // "... was not seen on prior": new, not absent
                "not seen on prior",
                "not seen on the prior",
                "not seen previously",
                "not previously seen",
                "not present on prior",
                "not present on the prior",
                "not present previously",
                "not visualized on prior",
                "not visualized on the prior",
                "not definitely seen on prior",
                "not seen on the previous",
                "not identified on prior",
                "not identified on the prior");
    }

    /**
     * "Cannot exclude", "cannot be entirely excluded", "difficult to rule out": a negated exclusion is a
     * hedge. Generated from its parts so that every adverb and verb form is covered: forward when the
     * finding follows, backward when it comes first, both for "difficult to exclude" which takes either.
     */
    private void doubleNegations() {
        List<String> adverbs = List.of(
                "", "entirely ", "completely ", "definitely ", "totally ", "fully ", "confidently ", "definitively ");
        List<String> pre = new ArrayList<>();
        List<String> post = new ArrayList<>();
        List<String> both = new ArrayList<>();
        for (String adverb : adverbs) {
            for (String[] verb : new String[][] {{"exclude", "excluded"}, {"rule out", "ruled out"}}) {
                for (String modal : List.of("cannot", "can not", "can't", "cant", "could not", "unable to")) {
                    pre.add(modal + " " + adverb + verb[0]);
                }
                for (String modal : List.of("difficult to", "impossible to", "hard to", "not possible to")) {
                    both.add(modal + " " + adverb + verb[0]);
                }
                for (String modal : List.of(
                        "cannot be",
                        "can not be",
                        "can't be",
                        "cant be",
                        "could not be",
                        "may not be",
                        "might not be",
                        "not be",
                        "not",
                        "is not",
                        "are not",
                        "was not",
                        "were not",
                        "has not been",
                        "have not been")) {
                    post.add(modal + " " + adverb + verb[1]);
                }
            }
        }
        add(Term.of(Kind.UNC_PRE), pre.toArray(String[]::new));
        add(Term.of(Kind.UNC_POST), post.toArray(String[]::new));
        add(Term.of(Kind.UNC_BOTH), both.toArray(String[]::new));
    }

    private void structure() {
        add(Term.of(Kind.SENTENCE_END), ".", "!");
        add(
                Term.of(Kind.BOUNDARY),
                ";",
                "but",
                "however",
                "although",
                "though",
                "whereas",
                "while",
                "which",
                "that",
                "there",
                "otherwise",
                "except",
                "aside from",
                "apart from",
                "in addition",
                "additionally",
                "meanwhile",
                "and there",
                "where",
                "whose",
                "who");
        add(Term.of(Kind.COMMA), ",", ":");
        add(Term.of(Kind.AND), "and", "as well as", "plus", "with associated");
        add(Term.of(Kind.OR), "or", "and or");
        add(
                Term.of(Kind.PREPOSITION),
                "in",
                "at",
                "on",
                "within",
                "involving",
                "along",
                "over",
                "near",
                "from",
                "of",
                "in the region of",
                "throughout",
                "to",
                "into",
                "overlying",
                "projecting over",
                "adjacent to",
                "about",
                "with",
                "by",
                "above",
                "below",
                "beneath");
        add(
                Term.of(Kind.VERB),
                "is",
                "are",
                "was",
                "were",
                "be",
                "been",
                "has",
                "have",
                "had",
                "remains",
                "remain",
                "persists",
                "persist",
                "seen",
                "noted",
                "present",
                "identified",
                "demonstrated",
                "appreciated",
                "visualized",
                "visible",
                "evident",
                "developed",
                "appears",
                "appear",
                "shows",
                "show",
                "terminates",
                "terminate",
                "ends",
                "projects",
                "project",
                "courses",
                "extends",
                "represents",
                "represent",
                "measures",
                "measuring",
                "reflects",
                "reflect",
                "seems",
                "continues",
                "continue",
                "overall",
                "again",
                "exists",
                "consistent with",
                "compatible with",
                "secondary to",
                "due to",
                "related to",
                "in keeping with");
        add(
                Term.of(Kind.SCOPE_END),
                "following",
                "after",
                "status post",
                "s or p",
                "given",
                "despite",
                "when",
                "because",
                "compared",
                "compared to",
                "compared with",
                "than");
        add(
                Term.of(Kind.NOUN_PHRASE),
                "a",
                "an",
                "the",
                "any",
                "other",
                "some",
                "definite",
                "definitive",
                "significant",
                "focal",
                "acute",
                "pleural",
                "pulmonary",
                "lung",
                "lungs",
                "lobe",
                "lobes",
                "lobar",
                "zone",
                "zones",
                "field",
                "fields",
                "segment",
                "segmental",
                "subsegmental",
                "hemithorax",
                "airspace",
                "air",
                "space",
                "patchy",
                "streaky",
                "hazy",
                "linear",
                "platelike",
                "plate",
                "like",
                "discoid",
                "layering",
                "loculated",
                "interstitial",
                "alveolar",
                "dependent",
                "residual",
                "new",
                "increasing",
                "decreasing",
                "persistent",
                "known",
                "amount",
                "amounts",
                "sized",
                "size",
                "volume",
                "lateral",
                "anterior",
                "posterior",
                "medial",
                "superior",
                "inferior",
                "partial",
                "complete",
                "tension",
                "area",
                "areas",
                "region",
                "regions",
                "component",
                "confluent",
                "diffuse",
                "multifocal",
                "underlying",
                "superimposed",
                "early",
                "developing",
                "additional",
                "evidence",
                "vascular",
                "rib",
                "ribs",
                "posterolateral",
                "anterolateral",
                "clavicle",
                "clavicular",
                "humeral",
                "sided",
                "side",
                "sides",
                "evidence of",
                "volumes",
                "healed",
                "healing",
                "old",
                "chronic",
                "subacute",
                "recent",
                "prior",
                "previously",
                "previous",
                "shallow",
                "minor",
                "ill",
                "defined",
                "rounded",
                "round",
                "irregular",
                "spiculated",
                "calcified",
                "noncalcified",
                "cavitating",
                "free",
                "apparent",
                "relatively",
                "somewhat",
                "fairly",
                "very",
                "apicolateral",
                "basolateral",
                "costal",
                "subpleural",
                "peripheral",
                "central",
                "hilar",
                "parenchymal",
                "nodular",
                "reticular",
                "coarse",
                "fine",
                "unchanging",
                "improving",
                "worsening",
                "enlarging",
                "grossly",
                "fissural",
                "simple",
                "complex",
                "bronchovascular",
                "mm",
                "cm",
                "x",
                // the de-identification's placeholder stands for a word of the phrase it sits in
                "xxxx");
    }

    private void changeWords() {
        // "slightly improved", "markedly decreased": degree of a change, not the severity of a finding
        List<String> phrases = new ArrayList<>();
        for (String degree : List.of(
                "slightly",
                "mildly",
                "minimally",
                "moderately",
                "markedly",
                "significantly",
                "substantially",
                "somewhat")) {
            for (String change : List.of(
                    "decreased",
                    "improved",
                    "worsened",
                    "worse",
                    "larger",
                    "smaller",
                    "better",
                    "changed",
                    "improving",
                    "worsening",
                    "decreasing",
                    "less",
                    "more")) {
                phrases.add(degree + " " + change);
            }
        }
        add(Term.of(Kind.NOUN_PHRASE), phrases.toArray(String[]::new));
    }

    private void modifiers() {
        Severity mild = Severity.MILD;
        Severity moderate = Severity.MODERATE;
        Severity severe = Severity.SEVERE;
        Severity none = Severity.UNSPECIFIED;
        Laterality nl = Laterality.UNSPECIFIED;
        Zone nz = Zone.UNSPECIFIED;
        add(
                Term.modifier(mild, nl, nz),
                "trace",
                "tiny",
                "small",
                "minimal",
                "minimally",
                "mild",
                "mildly",
                "slight",
                "slightly",
                "minute",
                "very small",
                "small sized",
                "small amount of",
                "trace amount of",
                "minimal amount of",
                "small amounts of",
                "a little");
        add(
                Term.modifier(moderate, nl, nz),
                "moderate",
                "moderately",
                "moderate sized",
                "moderate size",
                "medium",
                "medium sized",
                "moderate amount of",
                "small to moderate",
                "small to moderate sized",
                "small moderate",
                "mild to moderate",
                "mild moderate");
        add(
                Term.modifier(severe, nl, nz),
                "large",
                "severe",
                "severely",
                "marked",
                "markedly",
                "extensive",
                "extensively",
                "massive",
                "huge",
                "large amount of",
                "moderate to large",
                "moderate to severe",
                "moderately large",
                "moderate large",
                "large sized",
                "sizable",
                "sizeable",
                "substantial",
                "significantly enlarged");
        // fracture displacement is its severity, as the phantom's reports word it
        add(Term.modifier(mild, nl, nz), "nondisplaced", "non displaced", "undisplaced");
        add(Term.modifier(moderate, nl, nz), "minimally displaced", "mildly displaced", "slightly displaced");
        add(Term.modifier(severe, nl, nz), "displaced", "markedly displaced", "comminuted");
        add(Term.modifier(none, Laterality.RIGHT, nz), "right", "rt", "r", "right sided", "right side");
        add(Term.modifier(none, Laterality.LEFT, nz), "left", "lt", "l", "left sided", "left side");
        add(
                Term.modifier(none, Laterality.BILATERAL, nz),
                "bilateral",
                "bilaterally",
                "both lungs",
                "both lung",
                "both sides",
                "both hemithoraces",
                "both",
                "right and left",
                "left and right",
                "right greater than left",
                "left greater than right",
                "right more than left",
                "left more than right",
                "bilat");
        add(
                Term.modifier(none, Laterality.BILATERAL, Zone.LOWER),
                "bibasilar",
                "bibasal",
                "bibasally",
                "bibasilar lung",
                "both bases",
                "both lung bases",
                "both lower lobes",
                "both lower lungs",
                "lung bases",
                "bases",
                "bilateral lower lobes",
                "bilateral bases",
                "bilateral lower lung");
        add(
                Term.modifier(none, Laterality.BILATERAL, Zone.UPPER),
                "biapical",
                "both apices",
                "apices",
                "both upper lobes",
                "bilateral upper lobes",
                "bilateral apices");
        add(
                Term.modifier(none, nl, Zone.UPPER),
                "upper",
                "apical",
                "apex",
                "apically",
                "upper lobe",
                "upper lung",
                "upper zone",
                "upper lobes",
                "upper lungs",
                "upper zones",
                "upper lung zone",
                "upper lung zones",
                "lung apex",
                "supraclavicular",
                "upper lung field",
                "upper lung fields");
        add(
                Term.modifier(none, nl, Zone.MIDDLE),
                "middle",
                "mid",
                "midlung",
                "mid lung",
                "middle lobe",
                "mid zone",
                "midzone",
                "perihilar",
                "mid lung zone",
                "mid lung zones",
                "mid lungs",
                "mid lung field",
                "mid lung fields");
        add(
                Term.modifier(none, nl, Zone.LOWER),
                "lower",
                "base",
                "basal",
                "basilar",
                "basally",
                "lower lobe",
                "lower lung",
                "lower zone",
                "lower lobes",
                "lower lungs",
                "lower zones",
                "lower lung zone",
                "lower lung zones",
                "lung base",
                "infrahilar",
                "subpulmonic",
                "costophrenic",
                "lower lung field",
                "lower lung fields",
                "diaphragmatic");
        add(Term.modifier(none, Laterality.RIGHT, Zone.UPPER), "rul", "right apex", "right apical");
        add(Term.modifier(none, Laterality.RIGHT, Zone.MIDDLE), "rml");
        add(Term.modifier(none, Laterality.RIGHT, Zone.LOWER), "rll");
        add(Term.modifier(none, Laterality.LEFT, Zone.UPPER), "lul");
        add(Term.modifier(none, Laterality.LEFT, Zone.MIDDLE), "lingula", "lingular");
        add(Term.modifier(none, Laterality.LEFT, Zone.LOWER), "lll", "retrocardiac");
    }
}
