"""The resident order state machine, without a database."""
import pytest

from marketplace.errors import InvalidTransition
from marketplace.orders.models import Fulfilment, Order, OrderStatus

S = OrderStatus


def _order(fulfilment=Fulfilment.pickup, status=S.placed):
    return Order(fulfilment=fulfilment, status=status)


def test_a_pickup_order_goes_placed_accepted_ready_completed_and_stamps_each_step():
    order = _order()
    order.accept()
    order.mark_ready()
    assert order.status == S.ready
    order.complete()
    assert order.status == S.completed
    assert order.accepted_at <= order.ready_at <= order.completed_at


def test_a_delivery_order_goes_out_for_delivery_instead_of_ready():
    order = _order(Fulfilment.delivery)
    order.accept()
    order.mark_ready()
    assert order.status == S.out_for_delivery
    assert order.out_for_delivery_at is not None and order.ready_at is None
    order.complete()
    assert order.status == S.completed


def test_a_placed_order_can_be_rejected_with_its_reason_or_cancelled():
    rejected = _order()
    rejected.reject("out of eggs")
    assert (rejected.status, rejected.reject_reason) == (S.rejected, "out of eggs")
    assert rejected.rejected_at is not None
    cancelled = _order()
    cancelled.cancel()
    assert cancelled.status == S.cancelled and cancelled.cancelled_at is not None


@pytest.mark.parametrize("status,verb", [
    (S.accepted, "cancel"), (S.accepted, "accept"), (S.placed, "complete"), (S.placed, "mark_ready"),
    (S.ready, "cancel"), (S.completed, "reject"), (S.rejected, "accept"), (S.cancelled, "mark_ready"),
])
def test_a_forbidden_move_raises_and_leaves_the_status_alone(status, verb):
    order = _order(status=status)
    with pytest.raises(InvalidTransition):
        getattr(order, verb)(*(("reason",) if verb == "reject" else ()))
    assert order.status == status


def test_only_unfinished_orders_count_as_open():
    assert _order(status=S.ready).is_open
    assert not _order(status=S.completed).is_open
    assert not _order(status=S.rejected).is_open
