"""Chinese text understanding for customer insights, offline: sentiment with a score,
issue categories from an editable taxonomy, aspect-level opinions, and conversation
intents. Models are linear (scikit-learn) over character and jieba-word n-grams, trained
from the shop's own data or a CSV the user owns and stored in the data directory; the
measured accuracy is in docs/insights-accuracy.md.

Modules: :mod:`.features` (text preparation, TF-IDF), :mod:`.models` (the trained
models), :mod:`.taxonomy` (default categories and aspect words), :mod:`.aspects`,
:mod:`.intents`, :mod:`.pipeline` (classify and train), :mod:`.csvfiles`.
"""
