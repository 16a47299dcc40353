"""What the model posts tell other apps without knowing them."""

from django.dispatch import Signal

# Sent with `opinion` when the branch answers an entry of a post's opinion book (a resident's request
# tracked by code follows its answer).
opinion_answered = Signal()
