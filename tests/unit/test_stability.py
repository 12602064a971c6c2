from financing.lender.stability import population_stability_index, stability_reading


def test_identical_distributions_have_no_drift():
    assert population_stability_index({"a": 10, "b": 30}, {"a": 1, "b": 3}) == 0.0


def test_a_shift_of_half_the_population_reads_as_drift():
    psi = population_stability_index({"lo": 50, "hi": 50}, {"lo": 90, "hi": 10})
    assert psi > 0.25
    assert stability_reading(psi) == "drift"


def test_a_small_shift_is_stable_and_a_medium_one_is_watched():
    assert stability_reading(population_stability_index({"lo": 50, "hi": 50}, {"lo": 52, "hi": 48})) == "stable"
    assert stability_reading(population_stability_index({"lo": 50, "hi": 50}, {"lo": 66, "hi": 34})) == "watch"


def test_a_bin_empty_on_one_side_counts_without_dividing_by_zero():
    psi = population_stability_index({"a": 100, "b": 0}, {"a": 50, "b": 50})
    assert psi > 0.25


def test_nothing_to_compare_reads_unknown():
    assert stability_reading(None) == "unknown"
