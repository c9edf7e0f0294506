"""Writes bench/data/terms_corpus_en/: three partners writing English, two documents each.

    .venv/bin/python bench/make_terms_corpus_en.py

Planted: capacity (megawatts, staff hours, beds), ownership (legal title, feeling responsible,
own health). Controls: budget, neighbourhood. Sentences written for this bench.
"""
import random, json
from pathlib import Path
out = Path(__file__).resolve().parent / "data" / "terms_corpus_en"; rnd = random.Random(3)
P = {
 "GridCo": {"obj": ["the substations", "the cables", "the transformers", "the meters", "the high-voltage lines"],
   "filler": ["Our engineers inspect {x} every spring.", "The regulator approves the tariffs for {x}.", "Congestion forces us to reinforce {x}.", "Outages of {x} are repaired within hours.", "The investment plan replaces {x} over ten years."],
   "capacity": ["The capacity of {x} is measured in megawatts.", "There is no transport capacity left on {x}.", "We add capacity to {x} by installing heavier transformers.", "Grid capacity on {x} limits new solar parks.", "Capacity maps show where {x} are full."],
   "ownership": ["Legal ownership of {x} stays with the grid operator.", "Ownership of {x} transfers when the land is sold.", "The land registry records ownership of {x}.", "Whoever has ownership of {x} pays for their maintenance."]},
 "City": {"obj": ["youth services", "the social domain", "debt counselling", "the library", "public housing policy"],
   "filler": ["The council debates {x} every autumn.", "The alderman presents a proposal on {x}.", "Residents can ask questions about {x} at the desk.", "The coalition agreement names {x} a priority.", "Civil servants write a memo on {x}."],
   "capacity": ["We lack the staff capacity to run {x} properly.", "Capacity in our team for {x} is two full-time posts.", "Without extra capacity, civil servants cannot handle {x}.", "The council asked whether we have the capacity, in people and hours, for {x}."],
   "ownership": ["Ownership means that the alderman feels responsible for {x}.", "We ask civil servants to take ownership and finish what they start in {x}.", "Taking ownership of {x} means being accountable for the result.", "The team showed ownership by acting on {x} without being asked."]},
 "Hospital": {"obj": ["the emergency ward", "elderly care", "mental health care", "the outpatient clinic", "home care"],
   "filler": ["Nurses in {x} work in three shifts.", "Waiting lists for {x} are published monthly.", "The insurer contracts {x} for three years.", "Doctors in {x} report rising demand.", "Patients rate {x} highly in surveys."],
   "capacity": ["Bed capacity in {x} is full every winter.", "We expand capacity in {x} with twenty extra beds.", "Capacity in {x} means the number of beds we can staff.", "When capacity in {x} runs out, patients are moved to other hospitals."],
   "ownership": ["Ownership of their own health means patients take steps to stay well.", "We encourage patients to take ownership of their recovery after {x}.", "With ownership, patients decide themselves about {x}.", "Ownership of one's health reduces the need for {x}."]},
}
SH = {"budget": ["The budget for {x} grows by two million euros next year.", "The budget reserves money for {x}.", "A deficit in the budget follows higher costs of {x}.", "The budget for {x} is adjusted every quarter."],
      "neighbourhood": ["In the neighbourhood many elderly people depend on {x}.", "The eastern neighbourhood is the first to see changes in {x}.", "Every neighbourhood has a contact person for {x}.", "Residents of the neighbourhood told us how {x} affects their street."]}
for name, p in P.items():
    (out / name).mkdir(parents=True, exist_ok=True)
    for doc in ("plan", "report"):
        s = []
        for pool, n in [(p["filler"], 45), (p["capacity"], 7), (p["ownership"], 6), (SH["budget"], 5), (SH["neighbourhood"], 5)]:
            s += [rnd.choice(pool).format(x=rnd.choice(p["obj"])) for _ in range(n)]
        rnd.shuffle(s)
        (out / name / f"{doc}.md").write_text(f"# {doc} {name}\n\n" + "\n\n".join(" ".join(s[i:i+5]) for i in range(0, len(s), 5)))
(out / "truth.json").write_text(json.dumps({"planted": ["capacity", "ownership"], "controls": ["budget", "neighbourhood"]}))
