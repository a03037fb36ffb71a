"""Updates, questions and offers as one kind of thing: posted one way, moved one way."""
