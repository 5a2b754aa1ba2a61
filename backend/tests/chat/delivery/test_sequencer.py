from chat.delivery.sequencer import Sequencer


def test_in_order_arrivals_are_released_at_once():
    stream = Sequencer(last_seq=4)
    assert stream.add(5, "e") == ["e"]
    assert stream.add(6, "f") == ["f"]
    assert stream.missing() is None


def test_an_early_arrival_waits_for_the_ones_before_it():
    # Two senders committed 5 then 6, but 6's publish overtook 5's.
    stream = Sequencer(last_seq=4)
    assert stream.add(6, "f") == []
    assert stream.missing() == (5, 5)
    assert stream.add(5, "e") == ["e", "f"]
    assert stream.missing() is None


def test_what_the_start_position_covers_and_repeats_are_dropped():
    stream = Sequencer(last_seq=4)
    assert stream.add(3, "c") == []
    assert stream.add(4, "d") == []
    assert stream.add(5, "e") == ["e"]
    assert stream.add(5, "e") == []
    assert stream.add(7, "g") == []
    assert stream.add(7, "g") == []
    assert stream.add(6, "f") == ["f", "g"]


def test_a_gap_is_filled_from_what_the_database_holds_and_the_rest_follows():
    stream = Sequencer(last_seq=0)
    stream.add(4, "d")
    assert stream.missing() == (1, 3)
    assert stream.fill({1: "a", 2: "b", 3: "c"}, 3) == ["a", "b", "c", "d"]
    assert stream.missing() is None


def test_numbers_the_database_no_longer_holds_are_skipped():
    # 2 was deleted after it committed: nothing to deliver, but nothing to wait for either.
    stream = Sequencer(last_seq=0)
    stream.add(3, "c")
    assert stream.fill({1: "a"}, 2) == ["a", "c"]
    assert stream.next == 4


def test_the_database_can_reveal_a_lost_latest_message():
    # 5's publish was lost and nothing came after it: only the periodic check can tell.
    stream = Sequencer(last_seq=4)
    stream.note_exists(5)
    assert stream.missing() == (5, 5)
    assert stream.fill({5: "e"}, 5) == ["e"]
    assert stream.add(5, "e") == []


def test_a_publish_arriving_during_a_fill_is_not_delivered_twice():
    stream = Sequencer(last_seq=0)
    stream.add(3, "c")
    stream.add(2, "b")  # arrives while 1-2 are being fetched
    assert stream.fill({1: "a", 2: "b"}, 2) == ["a", "b", "c"]
