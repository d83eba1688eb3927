"""Vocabularies keep their own labels even where two of them share a value."""

from planner.enums import PriorityGroup, SessionKind, TargetGroup, Topic, VenueKind
from planner.people.models import Interest


def test_equal_values_in_two_vocabularies_keep_their_own_labels(app):
    with app.test_request_context():
        assert SessionKind.MARKET.label == "Truyền thông tại chợ"
        assert VenueKind.MARKET.label == "Chợ"
        assert TargetGroup.ETHNIC_MINORITY.label == "Hộ đồng bào dân tộc thiểu số"
        assert PriorityGroup.ETHNIC_MINORITY.label == "Người dân tộc thiểu số"
        assert Topic.BOTH.label == "BHXH tự nguyện và BHYT hộ gia đình"
        assert Interest.BOTH.label == "Cả hai"
