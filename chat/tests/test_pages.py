"""The chat pages: the buyer's conversations and threads, contacting a shop, the vendor's
inbox, and the admin's reported conversations."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from accounts.models import User
from accounts.tests.factories import StaffFactory
from catalog.tests.factories import ProductFactory
from chat.models import Conversation, Message
from chat.tests.factories import ConversationFactory, MessageFactory
from marketmate.models import AuditLog
from orders.models import Order
from shops.models import Shop

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", ["/chat/", "/chat/1/", "/chat/start/1/", "/dashboard/messages/"])
def test_the_chat_pages_need_a_signed_in_user(url: str) -> None:
    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_buyers_list_shows_unread_counts_and_the_last_message(
    conversation: Conversation, buyer: User, owner: User
) -> None:
    MessageFactory(conversation=conversation, side="shop", sender=owner, body="First")
    MessageFactory(conversation=conversation, side="shop", sender=owner, body="Second answer")

    html = client_for(buyer).get("/chat/").content.decode()

    assert "Tea House" in html
    assert "Second answer" in html
    badge = '<span class="badge badge--new" data-unread-count>2<span class="visually-hidden">'
    assert badge in html


def test_the_list_has_a_query_budget(django_assert_max_num_queries, buyer: User) -> None:
    for _ in range(5):
        MessageFactory(conversation=ConversationFactory(buyer=buyer))
    client = client_for(buyer)

    with django_assert_max_num_queries(12):
        client.get("/chat/")


def test_the_thread_shows_messages_escaped_and_marks_the_shops_read(
    conversation: Conversation, buyer: User, owner: User
) -> None:
    MessageFactory(conversation=conversation, body="<script>alert('x')</script>")
    MessageFactory(conversation=conversation, side="shop", sender=owner, body="Hello!")

    response = client_for(buyer).get(f"/chat/{conversation.pk}/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert f'data-conversation-id="{conversation.pk}"' in html
    assert 'data-viewer-side="buyer"' in html
    assert Message.objects.get(side="shop").read_at is not None
    assert Message.objects.get(side="buyer").read_at is None


@pytest.mark.parametrize(
    ("language", "written"),
    [("en", "Dec 4, 07:52 PM"), ("es", "4 dic, 19:52"), ("de", "4. Dez., 19:52")],
)
def test_chat_times_are_written_in_the_languages_own_format(
    conversation: Conversation, buyer: User, language: str, written: str
) -> None:
    # The format the browser's Intl writes for the language, so live times read the same.
    sent = datetime(2026, 12, 4, 19, 52, tzinfo=UTC)
    message = MessageFactory(conversation=conversation)
    Message.objects.filter(pk=message.pk).update(created=sent)
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=sent)
    client = client_for(buyer)

    thread = client.get(f"/chat/{conversation.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    listing = client.get("/chat/", HTTP_ACCEPT_LANGUAGE=language)

    time = f'<time datetime="2026-12-04T19:52:00+00:00">{written}</time>'
    assert time in thread.content.decode()
    assert time in listing.content.decode()


def test_older_messages_are_a_page_back(conversation: Conversation, buyer: User) -> None:
    messages = MessageFactory.create_batch(32, conversation=conversation)
    client = client_for(buyer)

    newest = client.get(f"/chat/{conversation.pk}/").content.decode()
    older = client.get(f"/chat/{conversation.pk}/?before={messages[2].pk}").content.decode()

    assert f'data-message-id="{messages[1].pk}"' not in newest
    assert f'data-message-id="{messages[2].pk}"' in newest
    assert f"?before={messages[2].pk}" in newest
    assert f'data-message-id="{messages[1].pk}"' in older
    assert f'data-message-id="{messages[0].pk}"' in older


def test_a_message_posted_without_javascript_is_sent(
    conversation: Conversation, buyer: User
) -> None:
    response = client_for(buyer).post(f"/chat/{conversation.pk}/", {"body": "Plain HTML works"})

    assert response.status_code == 302
    assert Message.objects.get().body == "Plain HTML works"


def test_an_empty_message_is_not_sent(conversation: Conversation, buyer: User) -> None:
    client = client_for(buyer)

    response = client.post(f"/chat/{conversation.pk}/", {"body": "   "}, follow=True)

    assert Message.objects.count() == 0
    assert "This field is required." in response.content.decode()


def test_a_stranger_gets_404_for_a_thread_and_cannot_post_or_report(
    conversation: Conversation, stranger: User
) -> None:
    client = client_for(stranger)

    assert client.get(f"/chat/{conversation.pk}/").status_code == 404
    assert client.post(f"/chat/{conversation.pk}/", {"body": "Hi"}).status_code == 404
    assert client.post(f"/chat/{conversation.pk}/report/", {"reason": "x"}).status_code == 404
    assert client.get(f"/dashboard/messages/{conversation.pk}/").status_code in (302, 404)
    assert Message.objects.count() == 0


def test_contacting_a_shop_about_a_product_starts_the_thread_with_the_first_message(
    buyer: User, shop: Shop
) -> None:
    product = ProductFactory(shop=shop, title="Green tea")
    client = client_for(buyer)

    form = client.get(f"/chat/start/{shop.pk}/?product={product.pk}")
    response = client.post(
        f"/chat/start/{shop.pk}/?product={product.pk}",
        {"body": "Is it organic?", "product": product.pk},
    )

    conversation = Conversation.objects.get()
    assert form.status_code == 200
    assert "Contact Tea House" in form.content.decode()
    assert response["Location"] == f"/chat/{conversation.pk}/"
    assert (conversation.product, conversation.buyer) == (product, buyer)
    assert Message.objects.get().body == "Is it organic?"
    again = client.get(f"/chat/start/{shop.pk}/?product={product.pk}")
    assert again["Location"] == f"/chat/{conversation.pk}/"
    assert "About Green tea" in client.get(again["Location"]).content.decode()


def test_contacting_a_shop_about_an_order(buyer: User, shop: Shop, order: Order) -> None:
    client = client_for(buyer)

    client.post(
        f"/chat/start/{shop.pk}/?order={order.pk}", {"body": "Where is it?", "order": order.pk}
    )

    conversation = Conversation.objects.get()
    assert conversation.order == order
    assert f"About order {order.number}" in client.get(f"/chat/{conversation.pk}/").content.decode()


def test_contacting_about_someone_elses_order_is_404(
    stranger: User, shop: Shop, order: Order
) -> None:
    response = client_for(stranger).post(
        f"/chat/start/{shop.pk}/?order={order.pk}", {"body": "Hi", "order": order.pk}
    )

    assert response.status_code == 404
    assert Conversation.objects.count() == 0


def test_a_member_contacting_their_own_shop_is_sent_to_the_inbox(owner: User, shop: Shop) -> None:
    response = client_for(owner).get(f"/chat/start/{shop.pk}/")

    assert response["Location"] == "/dashboard/messages/"


def test_every_member_sees_the_shops_inbox_with_unread_counts(
    conversation: Conversation, staff_member: User
) -> None:
    MessageFactory(conversation=conversation, body="Is the green tea in stock?")

    response = client_for(staff_member).get("/dashboard/messages/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "Bea Buyer" in html
    assert "Is the green tea in stock?" in html
    assert f'data-realtime-room="shop:{conversation.shop_id}"' in html
    assert f'href="/dashboard/messages/{conversation.pk}/"' in html


def test_a_user_without_a_shop_is_sent_to_the_dashboard(buyer: User) -> None:
    response = client_for(buyer).get("/dashboard/messages/")

    assert response["Location"] == "/dashboard/"


def test_a_member_replies_from_the_inbox_thread(conversation: Conversation, owner: User) -> None:
    MessageFactory(conversation=conversation)
    client = client_for(owner)

    page = client.get(f"/dashboard/messages/{conversation.pk}/")
    client.post(f"/dashboard/messages/{conversation.pk}/", {"body": "Yes, plenty."})

    assert 'data-viewer-side="shop"' in page.content.decode()
    assert Message.objects.get(side="buyer").read_at is not None
    reply = Message.objects.get(side="shop")
    assert (reply.body, reply.sender) == ("Yes, plenty.", owner)


def test_a_member_opening_the_buyer_thread_url_is_sent_to_the_inbox(
    conversation: Conversation, owner: User
) -> None:
    response = client_for(owner).get(f"/chat/{conversation.pk}/")

    assert response["Location"] == f"/dashboard/messages/{conversation.pk}/"


def test_a_buyer_reports_a_conversation(conversation: Conversation, buyer: User) -> None:
    client = client_for(buyer)

    client.post(f"/chat/{conversation.pk}/report/", {"reason": "Asked me to pay by wire"})

    conversation.refresh_from_db()
    assert conversation.report_reason == "Asked me to pay by wire"
    assert (
        "You reported this conversation" in client.get(f"/chat/{conversation.pk}/").content.decode()
    )


def test_staff_filter_reported_conversations_and_close_them(
    conversation: Conversation, buyer: User, shop: Shop
) -> None:
    other = ConversationFactory(shop=shop)
    client = client_for(buyer)
    client.post(f"/chat/{conversation.pk}/report/", {"reason": "Spam"})
    admin = client_for(StaffFactory())

    listed = admin.get("/admin/chat/conversation/?reported=yes").content.decode()
    detail = admin.get(f"/admin/chat/conversation/{conversation.pk}/change/")
    admin.post(
        "/admin/chat/conversation/",
        {"action": "close_conversations", "_selected_action": [conversation.pk]},
    )

    assert f"/admin/chat/conversation/{conversation.pk}/change/" in listed
    assert f"/admin/chat/conversation/{other.pk}/change/" not in listed
    assert detail.status_code == 200
    conversation.refresh_from_db()
    assert conversation.is_closed is True
    assert AuditLog.objects.filter(action="chat.conversation_close").count() == 1
    closed_page = client.get(f"/chat/{conversation.pk}/").content.decode()
    assert "This conversation was closed by our team." in closed_page


def test_contacting_a_shop_about_its_draft_product_is_not_found(buyer: User, shop: Shop) -> None:
    draft = ProductFactory(shop=shop, status="draft", title="Secret launch")
    client = client_for(buyer)

    form = client.get(f"/chat/start/{shop.pk}/?product={draft.pk}")
    sent = client.post(
        f"/chat/start/{shop.pk}/?product={draft.pk}", {"body": "What is it?", "product": draft.pk}
    )

    assert (form.status_code, sent.status_code) == (404, 404)
    assert "Secret launch" not in form.content.decode() + sent.content.decode()
    assert Conversation.objects.count() == 0


def test_a_member_messages_the_customer_of_an_order_from_its_page(
    buyer: User, shop: Shop, staff_member: User
) -> None:
    from orders.tests.factories import OrderFactory

    order = OrderFactory(shop=shop, buyer=buyer)
    client = client_for(staff_member)
    page = client.get(f"/dashboard/orders/{order.number}/").content.decode()
    assert f'action="/dashboard/messages/orders/{order.number}/"' in page

    first = client.post(f"/dashboard/messages/orders/{order.number}/")
    again = client.post(f"/dashboard/messages/orders/{order.number}/")

    conversation = Conversation.objects.get()
    assert (conversation.buyer, conversation.shop, conversation.order) == (buyer, shop, order)
    assert first["Location"] == again["Location"] == f"/dashboard/messages/{conversation.pk}/"


def test_another_shops_member_cannot_message_this_shops_customer(
    buyer: User, shop: Shop, stranger: User
) -> None:
    from orders.tests.factories import OrderFactory
    from shops.tests.factories import ShopFactory

    order = OrderFactory(shop=shop, buyer=buyer)
    ShopFactory(owner=stranger)

    response = client_for(stranger).post(f"/dashboard/messages/orders/{order.number}/")

    assert response.status_code == 404
    assert not Conversation.objects.exists()
