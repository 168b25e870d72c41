"""NegEx baseline on the IU / OpenI reports, scored against NLM's gold standard like the rule-based extractor.

A reference, not product code: spaCy's tokenizer and sentencizer, an entity ruler holding the phrase vocabulary of
`rules-mesh` (exported by NegExBaselineVocabulary, so both recognise the same phrases), and negspacy's NegEx with its
clinical termset. A finding is present in a report when one of its mentions is not negated (NegEx has no uncertainty
class, so a hedged mention counts as present). Prints aggregate scores only, never report text.

Usage: negex_reference.py --iu DIR --vocabulary FILE
"""

import argparse
import csv
import sys

import spacy
from negspacy.negation import Negex  # noqa: F401  (registers the "negex" factory)
from negspacy.termsets import termset

NLM_LABELS = ["Cardiomegaly", "Nodule", "Mass", "Edema", "Consolidation", "Pneumonia", "Atelectasis",
              "Pneumothorax", "Effusion"]


def read_vocabulary(path):
    entries = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            label, phrase = line.rstrip("\n").split("\t")
            entries.append((label, phrase))
    return entries


def not_indexed(mesh):
    return any(t.split("/")[0].strip() == "No Indexing" for t in mesh.split(";"))


def read_reports(iu):
    csv.field_size_limit(sys.maxsize)
    reports = []
    with open(f"{iu}/indiana_reports.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            findings, impression = (row["findings"] or "").strip(), (row["impression"] or "").strip()
            parts = []
            if findings:
                parts.append("FINDINGS: " + findings)
            if impression:
                parts.append("IMPRESSION: " + impression)
            text = " ".join(parts)
            if text and not not_indexed(row["MeSH"]):
                reports.append((int(row["uid"]), text))
    gold = {}
    with open(f"{iu}/openi_gld_std14.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            gold[row["filename"].strip()] = {c for c in NLM_LABELS if row[c].strip() == "1"}
    with open(f"{iu}/openi-testset.txt", encoding="utf-8") as f:
        test_list = {line.strip() for line in f if line.strip()}
    return reports, gold, test_list


# Negation phrases of chest radiograph reports that the clinical termset lacks (the commonest false positives of
# the plain baseline are "the lungs are clear of ..., pneumothorax or effusion" and "... has resolved").
RADIOLOGY_TRIGGERS = {
    "preceding_negations": ["clear of", "free of", "no evidence of", "no definite", "resolution of"],
    "following_negations": ["has resolved", "have resolved", "resolved", "is not seen", "are not seen",
                            "not identified", "is not identified", "are not identified", "is absent", "are absent"],
}


def pipeline(vocabulary, termset_name, radiology_triggers=False):
    patterns = termset(termset_name)
    if radiology_triggers:
        patterns.add_patterns(RADIOLOGY_TRIGGERS)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([{"label": label, "pattern": phrase} for label, phrase in vocabulary])
    labels = sorted({label for label, _ in vocabulary if label != "OTHER"})
    nlp.add_pipe("negex", config={"neg_termset": patterns.get_patterns(), "ent_types": labels})
    return nlp


def score(predicted, gold, ids):
    rows = []
    tp_all = fp_all = fn_all = 0
    for label in NLM_LABELS:
        tp = sum(1 for i in ids if label in predicted[i] and label in gold[i])
        fp = sum(1 for i in ids if label in predicted[i] and label not in gold[i])
        fn = sum(1 for i in ids if label not in predicted[i] and label in gold[i])
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        rows.append((label, tp, fp, fn, p, r, f1))
    p = tp_all / (tp_all + fp_all) if tp_all + fp_all else 0.0
    r = tp_all / (tp_all + fn_all) if tp_all + fn_all else 0.0
    micro = (p, r, 2 * p * r / (p + r) if p + r else 0.0)
    macro_f1 = sum(row[6] for row in rows) / len(rows)
    return rows, micro, macro_f1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iu", required=True)
    ap.add_argument("--vocabulary", required=True)
    ap.add_argument("--termset", default="en_clinical")
    ap.add_argument("--radiology-triggers", action="store_true",
                    help="add the radiology negation phrases of RADIOLOGY_TRIGGERS to the termset")
    args = ap.parse_args()
    reports, gold, test_list = read_reports(args.iu)
    nlp = pipeline(read_vocabulary(args.vocabulary), args.termset, args.radiology_triggers)
    name = "negex+radiology" if args.radiology_triggers else "negex"
    predicted = {}
    for uid, doc in zip((u for u, _ in reports), nlp.pipe(t for _, t in reports)):
        present = set()
        for ent in doc.ents:
            if ent.label_ != "OTHER" and not ent._.negex:
                present.update(ent.label_.split("+"))
        predicted[f"CXR{uid}"] = present
    ids_all = [f"CXR{u}" for u, _ in reports if f"CXR{u}" in gold]
    selections = [
        ("all uids", ids_all),
        ("odd uids", [i for i in ids_all if int(i[3:]) % 2 == 1]),
        ("even uids", [i for i in ids_all if int(i[3:]) % 2 == 0]),
        ("NLM test list", [i for i in ids_all if i in test_list]),
    ]
    print(f"{name} baseline (spaCy {spacy.__version__}, negspacy termset {args.termset}), "
          f"vocabulary of rules-mesh, NLM gold, nine shared labels")
    summary = []
    for selection, ids in selections:
        rows, micro, macro_f1 = score(predicted, gold, ids)
        print(f"\n{selection}: {len(ids)} reports")
        print(f"{'label':<16}{'TP':>6}{'FP':>6}{'FN':>6}{'P':>8}{'R':>8}{'F1':>8}")
        for label, tp, fp, fn, p, r, f1 in rows:
            print(f"{label:<16}{tp:>6}{fp:>6}{fn:>6}{p:>8.3f}{r:>8.3f}{f1:>8.3f}")
        weakest = min((row for row in rows if row[1] + row[3] >= 10), key=lambda row: row[4])
        summary.append(f"| {name}, {selection} | {len(ids)} | {micro[0]:.3f} / {micro[1]:.3f} / {micro[2]:.3f} | "
                       f"{macro_f1:.3f} | {weakest[4]:.3f} ({weakest[0]}) |")
    print("\n| extractor | reports | NLM micro P / R / F1 | NLM macro F1 | NLM min P (label) |")
    print("|---|---|---|---|---|")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
