"""The style card and the stylometric distance, on texts written to have known features."""

from __future__ import annotations

import json

import pytest

from creator_assistant.voice.style import card, stylometric_distance
from creator_assistant.voice.style_text import emoji, hashtags, sentences, syllables
from creator_assistant.voice.style_words import reference_ranks, reference_rate

# Two voices written for these tests. A: a chatty baking vlogger who talks to "you". B: a formal,
# past-tense narrator in the third person. Each paragraph is a sample.
VOICE_A = [
    "Hey friends, welcome back to my kitchen! So today we are making sourdough, and honestly you are "
    "going to love it. You just need flour, water, salt and your starter. That is it. Really.",
    "Hey friends, welcome back! If you have never fed a starter before, do not worry. You just mix "
    "it, you wait, and you watch it bubble. I promise it is so easy. Have you tried it yet?",
    "Hey friends, welcome back to the channel. Okay, so your dough looks sticky? That is fine. You "
    "can wet your hands and fold it. We are going to fold it four times, so stay with me.",
    "Hey friends, today is all about the crumb. You want big holes? Then you need a strong starter "
    "and a hot oven. I bake mine at the top of the oven and it works so well for me.",
    "Hey friends, welcome back! So many of you asked about sourdough pizza, so here it is. You can "
    "use the same starter, you just stretch the dough thin. It is honestly my favourite.",
    "Hey friends, quick one today. Your starter smells like cheese? Do not panic. You just feed it "
    "twice a day for a week and it will come back. Trust me, I have been there.",
]
VOICE_B = [
    "The house stood upon a hill, and from its windows one could see the whole of the valley. It had "
    "belonged to the family for three generations, and each of them had added a wing to it.",
    "Mr. Ellis was a man of few words, though those which he spoke were generally thought to be wise. "
    "He had been a soldier in his youth, and the habit of order had never left him.",
    "His daughter, who was then nineteen, had been sent to the city in the spring. She returned in the "
    "autumn with a great many opinions, of which her father approved of very few.",
    "It was upon a wet evening in November that the letter arrived. The servant who carried it to the "
    "study was observed to tremble, for the seal upon it was one that all of them knew.",
    "The contents of the letter were not made known to the household until the following morning, when "
    "the master of the house gathered them in the hall and read it aloud in a steady voice.",
    "Nothing in the village had been so much discussed since the fire at the mill. By the end of the "
    "week there was not a family in the parish which had not formed an opinion upon it.",
]


def test_sentence_and_paragraph_length_are_medians():
    text = ("One two three four five. One two three.\n\nOne two three four five six seven. Five words "
            "are right here. Three words here.\n\nTwelve words sit in this one sentence that goes on and "
            "on.\n\nDone now.")
    c = card([text])
    # sentence lengths 5, 3, 7, 5, 3, 12, 2 -> median 5 (mean 5.3); paragraphs of 2, 3, 1 and 1
    # sentences -> median 1.5 (mean 1.75)
    assert (c.sentences, c.sentence_words, c.paragraph_sentences) == (7, 5.0, 1.5)
    assert c.words == 37


def test_sentences_end_at_punctuation_and_lines_not_abbreviations():
    assert sentences("Dr. Smith said hi. Then he left! Why? A line\nwraps on. New Line\n- item one") == [
        "Dr. Smith said hi.", "Then he left!", "Why?", "A line wraps on.", "New Line", "item one"]


def test_syllables_of_known_words():
    known = {"the": 1, "make": 1, "makes": 1, "boxes": 2, "jumped": 1, "wanted": 2, "table": 2,
             "video": 3, "create": 2, "nation": 2, "special": 2, "beautiful": 3, "education": 4,
             "going": 2, "science": 2, "idea": 3, "everything": 3, "people": 2, "university": 5}
    assert {w: syllables(w) for w in known} == known


def test_reading_level_is_flesch_kincaid():
    easy = card(["The dog ran to the park. It was fun."])  # 9 words, 2 sentences, 9 syllables
    assert easy.grade == round(0.39 * 9 / 2 + 11.8 * 9 / 9 - 15.59, 1) == -2.0
    hard = card(["Beautiful education."])  # 2 words, 1 sentence, 3 + 4 syllables
    assert hard.grade == round(0.39 * 2 + 11.8 * 7 / 2 - 15.59, 1) == 26.5


def test_person_shares():
    c = card(["I think you will like this. You can see my notes, and we can talk. Your turn, you lot!"])
    # I: I, my (2); we: we (1); you: you, You, Your, you (4)
    assert dict(c.person) == {"I": round(2 / 7, 3), "we": round(1 / 7, 3), "you": round(4 / 7, 3)}
    assert dict(card(["The rain fell on the roof."]).person) == {"I": 0.0, "we": 0.0, "you": 0.0}


def test_recurring_openers_and_signoffs():
    c = card(VOICE_A + [
        "Morning all. Bread again.\n\nSee you next week, bakers!",
        "Hello there. More bread.\n\nSee you next week, bakers!",
        "Hi. Rolls today. See you soon."])
    # "Hey friends" opens 6 of 9 samples, "Hey friends welcome back" 4 of them
    assert c.openers == (("Hey friends", 6), ("Hey friends welcome back", 4))
    # the last line "See you next week, bakers!" ends 2 of 9 (>= 2 and >= 10%); "See you soon" only 1
    assert c.signoffs == (("See you next week bakers", 2),)


def test_a_phrase_must_recur_in_a_tenth_of_the_samples():
    plain = [f"Note {i}: something different about bread." for i in range(25)]
    two = ["Good morning bakers, here we go."] * 2
    three = ["Good morning bakers, here we go."] * 3
    assert card(plain + two).openers == ()  # 2 of 27 is under 10%
    assert card(plain + three).openers == (("Good morning bakers here", 3),)


def test_emoji_count_clusters_as_one():
    assert emoji("hi 👋🏽 family 👨‍👩‍👧 flag 🇫🇷 heart ❤️ arrow → tm ™ ok ✅") == [
        "👋🏽", "👨\u200d👩\u200d👧", "🇫🇷", "❤️", "✅"]
    words = " ".join(["word"] * 48)
    c = card([f"{words} 🍞🍞 done 🔥 yes."])  # 50 words, 3 emoji
    assert c.emoji_per_100_words == 6.0
    assert c.top_emoji == (("🍞", 2), ("🔥", 1))
    assert card(VOICE_B).top_emoji == () and card(VOICE_B).emoji_per_100_words == 0.0


def test_hashtags_per_sample_and_most_used():
    assert hashtags("Loved it #Garden #2024 #top10 C# https://x.com/#frag &#39; #vlog.") == [
        "#garden", "#top10", "#vlog"]
    c = card(["Bread day. #Sourdough #baking #bread", "More bread. #sourdough"])
    assert c.hashtags_per_sample == 2.0
    assert c.top_hashtags == (("#sourdough", 2), ("#baking", 1), ("#bread", 1))
    assert c.words == 4  # hashtags are not words


def test_questions_and_exclamations_per_100_sentences():
    text = "Is it good? Yes! It is. Wow! Really? Fine. Okay. Sure. Great! Done."
    c = card([text])
    assert (c.sentences, c.questions_per_100_sentences, c.exclamations_per_100_sentences) == (10, 20, 30)


def test_words_used_far_more_than_usual():
    filler = "It is what it is, and that is all there is to it. " * 10  # function words only
    c = card([filler + "Kombucha again. Kombucha people.",
              filler + "Kombucha is back. Kombucha scoby scoby scoby. Ferment.",
              filler + "Ferment people. People."])
    # kombucha: 4 times in 2 samples, far above its general rate; scoby: 3 times but in 1 sample;
    # ferment: under the minimum count; people: a common word, under 10 times its usual rate
    assert [(w, n) for w, n, _ in c.favourite_words] == [("kombucha", 4)]
    assert c.favourite_words[0][2] == round((4 / c.words) / reference_rate("kombucha"), 1)
    assert (3 / c.words) / reference_rate("people") < 10
    # in the vlogger's samples, the opener's words are shown as the opener, not as favourites
    assert [w for w, _, _ in card(VOICE_A).favourite_words] == ["starter", "today"]
    assert reference_ranks()["the"] == 1 and len(reference_ranks()) > 20000
    assert reference_rate("the") > reference_rate("people") > reference_rate("sourdough")


def test_empty_input_gives_an_empty_card_that_says_so():
    for texts in ([], ["", "  \n\n "]):
        c = card(texts)
        assert c.empty and c.samples == 0 and c.words == 0
        assert c.render() == "No samples yet: add your own writing with `creator voice add PATH`."
        assert c.short() == ""
        assert c.as_dict()["empty"] is True
    only_emoji = card(["🔥🔥", "🍞"])
    assert only_emoji.empty and only_emoji.samples == 2 and "no words" in only_emoji.render()
    with pytest.raises(ValueError, match="first set of texts has no English function words"):
        stylometric_distance([], VOICE_A)
    with pytest.raises(ValueError, match="second set"):
        stylometric_distance(VOICE_A, ["🔥"])


def test_render_short_and_json_forms():
    c = card(VOICE_A)
    lines = c.render().splitlines()
    assert lines[0] == f"Style card from 6 samples ({c.words} words, {c.sentences} sentences)"
    assert [line.split(":")[0] for line in lines[1:]] == [
        "Sentences", "Reading level", "Person", "Openers", "Sign-offs", "Emoji", "Hashtags",
        "Questions", "Words they use far more than usual"]
    assert lines[4] == 'Openers: "Hey friends" (6 samples), "Hey friends welcome back" (4 samples)'
    assert lines[5] == "Sign-offs: none recur"
    short = c.short()
    assert short.startswith("Write like this creator: short sentences (about ")
    assert "second person (you)" in short and "opens with 'Hey friends'" in short
    assert "no emoji" in short and "asks questions often" in short and "favourite words: " in short
    assert len(short.split()) <= 60
    data = json.loads(json.dumps(c.as_dict()))
    assert data["samples"] == 6 and data["openers"][0] == ["Hey friends", 6]
    assert card(VOICE_A) == c and card(VOICE_A).as_dict() == c.as_dict()  # deterministic


def test_short_form_drops_the_least_telling_parts_to_fit():
    tags = " ".join(f"#tag{i}longname" for i in range(3))
    long_open = "Good morning my wonderful bakers"
    texts = [f"{long_open}, yes! Is it? Wow! 🍞🔥🥖 {tags}\n\nSee you all next time, lovely people"] * 4
    short = card(texts).short()
    assert len(short.split()) <= 60
    assert "opens with 'Good morning my wonderful'" in short  # openers are the first 2-4 words


def test_distance_is_smaller_within_an_author():
    a1, a2 = VOICE_A[:3], VOICE_A[3:]
    b1, b2 = VOICE_B[:3], VOICE_B[3:]
    assert stylometric_distance(a1, a2) < stylometric_distance(a1, VOICE_B)
    assert stylometric_distance(b1, b2) < stylometric_distance(b1, VOICE_A)
    assert stylometric_distance(a1, b1) == stylometric_distance(b1, a1)
    assert stylometric_distance(VOICE_A, VOICE_A) == 0.0
    assert 0.0 < stylometric_distance(a1, b1) <= 1.0
    # Hellinger distance of {the: 2/3, of: 1/3} and {the: 1/3, of: 2/3}: sqrt(1 - 2 * sqrt(2/9))
    assert stylometric_distance(["The cat of the house."], ["Of mice of the field."]) == pytest.approx(
        (1 - 2 * (2 / 9) ** 0.5) ** 0.5, abs=1e-6)
