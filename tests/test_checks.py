"""The one set of validators: each names the parameter, the value and what is allowed."""
import math

import pytest

from glo_lib.checks import (check_bool, check_choice, check_int, check_list, check_names, check_number,
                            check_text)

BAD = [
    (check_int, ("epochs", 0, 1), "epochs must be an integer >= 1, got 0"),
    (check_int, ("epochs", 2.0, 1), "epochs must be an integer >= 1, got 2.0"),
    (check_int, ("epochs", True, 1), "epochs must be an integer >= 1, got True"),
    (check_int, ("k", 11, 0, 10), "k must be an integer from 0 to 10, got 11"),
    (check_number, ("noise_std", -0.1), "noise_std must be a finite number >= 0, got -0.1"),
    (check_number, ("noise_std", math.inf), "noise_std must be a finite number >= 0, got inf"),
    (check_number, ("noise_std", "0.3"), "noise_std must be a finite number >= 0, got '0.3'"),
    (check_number, ("lr", 0.0, 0.0, False), "lr must be a finite number > 0, got 0.0"),
    (check_number, ("tol", -1, 0.0, True, "0.1 = 10%"), r"tol must be a finite number >= 0 \(0.1 = 10%\), got -1"),
    (check_choice, ("loss", "l3", ("l1", "l2")), "loss must be one of l1, l2; got 'l3'"),
    (check_choice, ("loss", None, ("l1",)), "loss must be one of l1; got None"),
    (check_bool, ("smoke", 1), "smoke must be True or False, got 1"),
    (check_text, ("data_root", ""), "data_root must be a non-empty string, got ''"),
    (check_list, ("sigmas", []), "sigmas must be a non-empty list of numbers, got"),
    (check_list, ("sigmas", "0.3"), "sigmas must be a non-empty list of numbers, got '0.3'"),
    (check_list, ("sigmas", [0.1, math.nan]), "sigmas must be a non-empty list of numbers"),
    (check_list, ("seeds", [0, 1.5], int, 0), r"seeds must be a non-empty list of integers >= 0, got \[0, 1.5\]"),
    (check_list, ("seeds", [0, 0], int), "seeds must be a non-empty list of integers, each value once"),
    (check_names, ("losses", ["l1", "l4"], ["l1", "l2"]), r"losses must be drawn from \['l1', 'l2'\]; unknown: \['l4'\]"),
    (check_names, ("losses", "l1", ["l1"]), "losses must be a non-empty list drawn from"),
    (check_names, ("losses", ["l1", "l1"], ["l1"]), "losses lists a name twice"),
]


@pytest.mark.parametrize("check,args,message", BAD, ids=[m[:40] for _, _, m in BAD])
def test_bad_values_are_named_with_what_is_allowed(check, args, message):
    with pytest.raises(ValueError, match=message):
        check(*args)


def test_good_values_come_back_normalised():
    assert check_int("epochs", 3, 1) == 3
    assert check_number("noise_std", 1) == 1.0 and isinstance(check_number("noise_std", 1), float)
    assert check_list("sigmas", (0, 0.5)) == [0.0, 0.5]
    assert check_list("seeds", [2, 1], int) == [2, 1]
    assert check_list("explorer_sigmas", [], minimum=0.0, allow_empty=True) == []
    assert check_names("samplers", ("random",), ["random", "gaussian"]) == ["random"]
    assert check_choice("loss", "l1", ("l1",)) == "l1" and check_bool("smoke", False) is False
