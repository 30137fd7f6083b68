#!/usr/bin/env python3
"""Turn Debian's package metadata (a real text source on every Debian machine after `apt-get update`)
into chat-formatted training samples for the demo model, and a held-apart split by package name.

Two tasks:
  json  "Describe the Debian package NAME as JSON."  -> {"name", "section", "priority", "architecture",
                                                          "depends", "summary"} in a fixed key order
  text  "What is the Debian package NAME?"            -> "NAME is SUMMARY."  (free text, for perplexity)

Output (in --out): train.jsonl, heldout.jsonl ({"task", "name", "prompt", "answer"}), heldout-text.txt
(raw stanzas of held-out packages for corpus-mode perplexity).
"""
import argparse
import glob
import hashlib
import json
import os
import re
import subprocess

PRIORITIES = {"required", "important", "standard", "optional", "extra"}
MAX_DEPENDS = 4


def read_stanzas(paths):
    for path in paths:
        text = subprocess.run(["lz4cat", path], check=True, capture_output=True).stdout.decode("utf-8", "replace")
        for block in text.split("\n\n"):
            fields = {}
            key = None
            for line in block.splitlines():
                if line.startswith((" ", "\t")) and key:
                    fields[key] += "\n" + line.strip()
                elif ":" in line:
                    key, _, value = line.partition(":")
                    fields[key] = value.strip()
            if "Package" in fields:
                yield fields, block


def depends_names(depends):
    names = []
    for part in depends.split(","):
        first = part.split("|")[0].strip()
        name = re.sub(r"\s*\(.*?\)", "", first).split(":")[0].strip()
        if name and name not in names:
            names.append(name)
    return names[:MAX_DEPENDS]


def summary_of(description):
    first = description.split("\n")[0].strip()
    return first


def is_ascii(text):
    return all(ord(c) < 128 for c in text)


def heldout(name):
    # Stable split by name: 5% of packages never appear in training.
    return int(hashlib.sha256(name.encode()).hexdigest(), 16) % 20 == 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lists", default="/var/lib/apt/lists")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    paths = sorted(glob.glob(os.path.join(args.lists, "*_main_binary-amd64_Packages.lz4")))
    if not paths:
        raise SystemExit("no *_main_binary-amd64_Packages.lz4 under %s: run apt-get update first" % args.lists)
    os.makedirs(args.out, exist_ok=True)
    seen = set()
    counts = {"train": 0, "heldout": 0}
    with open(os.path.join(args.out, "train.jsonl"), "w") as train, open(
        os.path.join(args.out, "heldout.jsonl"), "w"
    ) as held, open(os.path.join(args.out, "heldout-text.txt"), "w") as held_text:
        for fields, block in read_stanzas(paths):
            name = fields["Package"]
            if name in seen:
                continue
            seen.add(name)
            summary = summary_of(fields.get("Description", ""))
            priority = fields.get("Priority", "optional")
            if not summary or len(summary) > 72 or priority not in PRIORITIES or not is_ascii(summary + name):
                continue
            record = {
                "name": name,
                "section": fields.get("Section", "misc"),
                "priority": priority,
                "architecture": fields.get("Architecture", "all"),
                "depends": depends_names(fields.get("Depends", "")),
                "summary": summary,
            }
            samples = [
                ("json", "Describe the Debian package %s as JSON." % name, json.dumps(record)),
                ("text", "What is the Debian package %s?" % name, "%s is %s." % (name, summary[0].lower() + summary[1:])),
            ]
            split = "heldout" if heldout(name) else "train"
            sink = held if split == "heldout" else train
            for task, prompt, answer in samples:
                sink.write(json.dumps({"task": task, "name": name, "prompt": prompt, "answer": answer}) + "\n")
            counts[split] += 1
            if split == "heldout" and is_ascii(block):
                held_text.write(block.strip() + "\n\n")
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
