"""The words sbatch reads from an #SBATCH line (for the tests of sweep --slurm)."""


def sbatch_words(line):
    """The words sbatch takes from what follows "#SBATCH" on a line: a port of
    Slurm's _get_argument (src/sbatch/opt.c), called until the line ends."""
    words, i = [], 0
    while True:
        while i < len(line) and line[i].isspace():
            i += 1
        if i >= len(line):
            return words
        word, quote, escape = "", "", False
        while i < len(line) and (quote or not line[i].isspace()):
            c = line[i]
            if escape:
                escape = False
            elif c == "\\":
                escape, i = True, i + 1
                continue
            elif quote:
                if c == quote:
                    quote, i = "", i + 1
                    continue
            elif c in "\"'":
                quote, i = c, i + 1
                continue
            elif c == "#":
                return words + [word] if word else words  # the rest is a comment
            word += c
            i += 1
        words.append(word)


def directives(text):
    """Each #SBATCH line of a script as its list of words."""
    return [sbatch_words(l[len("#SBATCH"):]) for l in text.split("\n") if l.startswith("#SBATCH")]
