import pytest
from django.core.exceptions import ValidationError

from portal.identifiers import check_bpn, check_corporate_number, check_lei


class TestBpn:
    def test_valid_bpnl_is_normalised_to_upper_case(self):
        assert check_bpn("bpnl00000000emt8", kinds="L").value == "BPNL00000000EMT8"

    def test_spaces_in_the_reading_aid_are_removed(self):
        assert check_bpn("BPNL 0000 0000 EMT8", kinds="L").value == "BPNL00000000EMT8"

    def test_matching_check_characters_give_no_warning(self):
        assert check_bpn("BPNL00000000EMT8", kinds="L").warnings == ()

    def test_check_character_mismatch_is_a_warning_not_an_error(self):
        checked = check_bpn("BPNL00000003AYRE", kinds="L")
        assert checked.value == "BPNL00000003AYRE"
        assert len(checked.warnings) == 1

    @pytest.mark.parametrize(
        "value", ["BPNL0000", "BPNX00000000EMT8", "BPNL00000000EMT8X", "BPNL0000000_EMT8", ""]
    )
    def test_malformed_bpn_is_rejected(self, value):
        with pytest.raises(ValidationError):
            check_bpn(value, kinds="L")

    def test_site_number_is_not_accepted_as_legal_entity(self):
        with pytest.raises(ValidationError):
            check_bpn("BPNS00000000EPIC", kinds="L")
        assert check_bpn("BPNS00000000EPIC", kinds="SA").value == "BPNS00000000EPIC"


class TestCorporateNumber:
    def test_valid_number(self):
        assert check_corporate_number("1180301018771").value == "1180301018771"

    def test_full_width_digits_and_hyphens_are_normalised(self):
        assert check_corporate_number("１１８０-３０１０-１８７７１").value == "1180301018771"

    @pytest.mark.parametrize("value", ["2180301018771", "118030101877", "11803010187712", "118030101877A"])
    def test_invalid_numbers_are_rejected(self, value):
        with pytest.raises(ValidationError):
            check_corporate_number(value)


class TestLei:
    def test_valid_lei(self):
        assert check_lei("5493006w3qus5lmh6r84").value == "5493006W3QUS5LMH6R84"

    @pytest.mark.parametrize("value", ["5493006W3QUS5LMH6R85", "5493006W3QUS5LMH6R8", "5493006W3QUS5LMH6RAB"])
    def test_invalid_lei_is_rejected(self, value):
        with pytest.raises(ValidationError):
            check_lei(value)
