"""Keyed fingerprints: one child written several ways meets, different children rarely do."""

from __future__ import annotations

import collections
import itertools
import random
import unicodedata

import pytest

from clr.model import fingerprint as fp

SECRET = bytes(range(32))

SAME = [
    # Bengali script and its Latin spellings, in either order
    ("রহিম উদ্দিন", "Rahim Uddin"),
    ("রহিম উদ্দিন", "Uddin Rahim"),
    ("মোহাম্মদ রহিম", "Md. Rahim"),
    ("মোহাম্মদ রহিম", "Mohammed Rahim"),
    ("ফাতেমা খাতুন", "Fatema Khatun"),
    ("ফাতেমা খাতুন", "Khatun Fatima"),
    ("শাহানা আক্তার", "Shahana Akter"),
    ("আব্দুল করিম", "Abdul Karim"),
    # Vietnamese with and without diacritics, family name first or last
    ("Nguyễn Thị Hương", "Nguyen Thi Huong"),
    ("Nguyễn Thị Hương", "Hương Nguyễn Thị"),
    ("Nguyễn Thị Hương", "HUONG NGUYEN THI"),
    ("Trần Văn Đức", "Tran Van Duc"),
    ("Đặng Minh Tuấn", "Dang Minh Tuan"),
]

DIFFERENT = [
    ("Rahim Uddin", "Karim Uddin"),
    ("রহিম উদ্দিন", "Rahim Hossain"),
    ("Nguyễn Thị Hương", "Nguyễn Thị Lan"),
    ("Tran Van Duc", "Nguyen Van Duc"),
    ("Fatema Khatun", "Fatema Begum"),
]


@pytest.mark.parametrize(("first", "second"), SAME)
def test_one_name_written_two_ways_gives_the_same_fingerprints(first: str, second: str) -> None:
    assert fp.normalised(first) == fp.normalised(second)
    assert fp.fingerprints(SECRET, first, 2012, "BD") == fp.fingerprints(SECRET, second, 2012, "BD")
    assert fp.similarity(first, second) == 1.0


@pytest.mark.parametrize(("first", "second"), DIFFERENT)
def test_different_names_give_different_fingerprints(first: str, second: str) -> None:
    assert not set(fp.fingerprints(SECRET, first, 2012, "BD")) & set(
        fp.fingerprints(SECRET, second, 2012, "BD")
    )


def test_birth_years_one_apart_meet_and_two_apart_do_not() -> None:
    def prints(year: int) -> set[str]:
        return set(fp.fingerprints(SECRET, "Rahim Uddin", year, "BD"))

    for year in range(2005, 2016):
        assert prints(year) & prints(year + 1)
        assert prints(year) == prints(year)
    assert not prints(2010) & prints(2012) or not prints(2011) & prints(2013)
    assert not prints(2010) & prints(2013)


def test_the_secret_country_and_year_are_all_in_the_fingerprint() -> None:
    base = fp.fingerprints(SECRET, "Rahim Uddin", 2012, "BD")
    assert base != fp.fingerprints(b"another secret", "Rahim Uddin", 2012, "BD")
    assert not set(base) & set(fp.fingerprints(SECRET, "Rahim Uddin", 2012, "IN"))
    assert not set(base) & set(fp.fingerprints(SECRET, "Rahim Uddin", 2016, "BD"))
    assert all(f.startswith("v1:") and len(f) == 35 for f in base)
    # without a name or a year there is nothing to compare
    assert fp.fingerprints(SECRET, "  ", 2012, "BD") == []
    assert fp.fingerprints(SECRET, "Rahim", None, "BD") == []


def test_the_birth_year_comes_from_the_birth_date_else_the_estimated_age() -> None:
    assert fp.birth_year({"child": {"birth_date": "2011-06"}}) == 2011
    assert (
        fp.birth_year({"child": {"estimated_age": 13}, "discovery": {"date": "2026-03-02"}}) == 2013
    )
    assert fp.birth_year({"child": {}}) is None


def test_fuzzy_similarity_ranks_spelling_variants_above_other_names() -> None:
    assert fp.similarity("Rahim Uddin", "Rahim Udin") == 1.0
    assert fp.similarity("Shahana Akter", "Shahana Aktar") == 1.0
    assert fp.similarity("Sumaiya Islam", "Sumaya Islam") >= 0.85
    assert fp.similarity("Rahim Uddin", "Karim Uddin") < 0.85
    assert fp.similarity("Nguyen Thi Lan", "Nguyen Thi Huong") < 0.85


# --- a synthetic population -------------------------------------------------------------------

BD_GIVEN = ["Rahim", "Karim", "Abdul", "Mohammad", "Hasan", "Hossain", "Rafiq", "Jamal",
            "Kamal", "Sumon", "Rubel", "Sohel", "Shakil", "Rakib", "Arif", "Imran", "Fatema",
            "Ayesha", "Shahana", "Nasrin", "Rokeya", "Salma", "Taslima", "Sumaiya", "Nusrat",
            "Jannat", "Mim", "Sadia", "Farzana", "Rina", "Shirin", "Munni", "Bithi", "Liton",
            "Babul", "Shahid", "Anwar", "Habib", "Mizan", "Jewel"]  # fmt: skip
BD_FAMILY = ["Uddin", "Islam", "Hossain", "Ahmed", "Akter", "Khatun", "Begum", "Miah", "Sarkar",
             "Mondal", "Sheikh", "Chowdhury", "Rahman", "Ali", "Haque", "Kabir", "Talukder",
             "Biswas", "Das", "Roy"]  # fmt: skip
VN_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
             "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]  # fmt: skip
VN_MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh"]
VN_GIVEN = ["Hương", "Lan", "Anh", "Dũng", "Hùng", "Linh", "Trang", "Tuấn", "Hoa", "Mai", "Nam",
            "Phương", "Quang", "Sơn", "Thảo", "Vy", "Khánh", "Long", "Hải", "Yến"]  # fmt: skip


def _person(rng: random.Random) -> tuple[str, int, str]:
    year = rng.randint(2006, 2014)
    if rng.random() < 0.5:
        return f"{rng.choice(BD_GIVEN)} {rng.choice(BD_FAMILY)}", year, "BD"
    family, middle, given = rng.choice(VN_FAMILY), rng.choice(VN_MIDDLE), rng.choice(VN_GIVEN)
    return f"{family} {middle} {given}", year, "VN"


def _respelled(rng: random.Random, name: str) -> str:
    """The name as another person might write it: no diacritics, order, a vowel changed."""
    plain = "".join(
        c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c)
    ).replace("Đ", "D")
    words = plain.split()
    if rng.random() < 0.5:
        words.reverse()
    which = rng.randrange(len(words))
    old, new = rng.choice([("a", "o"), ("e", "i"), ("u", "o"), ("i", "ee"), ("a", "aa")])
    words[which] = words[which].replace(old, new, 1)
    return " ".join(words)


def test_false_matches_and_missed_matches_on_a_synthetic_population() -> None:
    """3,000 children from common Bangladeshi and Vietnamese names, born 2006 to 2014.

    False match: two different children share a fingerprint although their names differ
    (the skeleton merged them). Children with the very same name, country and birth year
    cannot be told apart by any fingerprint and are counted apart. Missed match: the same
    child written another way (no diacritics, another order, a vowel changed, the birth
    year one off) does not share a fingerprint with the first record.
    """
    rng = random.Random(20)
    people = [_person(rng) for _ in range(3000)]
    prints = [set(fp.fingerprints(SECRET, *p)) for p in people]
    groups: dict[str, set[int]] = collections.defaultdict(set)
    for i, found in enumerate(prints):
        for value in found:
            groups[value].add(i)
    flagged = {pair for g in groups.values() for pair in itertools.combinations(sorted(g), 2)}
    total = len(people) * (len(people) - 1) // 2
    false = [(a, b) for a, b in flagged if people[a][0] != people[b][0]]
    namesakes = len(flagged) - len(false)
    hits = 0
    for i, (name, year, country) in enumerate(people):
        year_seen = year + rng.choice([-1, 0, 0, 1])
        if set(fp.fingerprints(SECRET, _respelled(rng, name), year_seen, country)) & prints[i]:
            hits += 1
    rate = len(false) / total
    print(
        f"pairs {total}: false matches {len(false)} ({rate:.1e}), namesakes {namesakes}, "
        f"respelled found {hits / len(people):.3f}"
    )
    assert rate < 2e-4
    assert hits / len(people) >= 0.98
