"""The model class: token ids -> EmbeddingBag(mean) -> Linear. Set the defaults to your trained sizes."""

from torch import nn


class IntentClassifier(nn.Module):
    # Defaults are the trained sizes: TorchServe's BaseHandler builds the class with no arguments.
    def __init__(self, vocab_size=338, embed_dim=32, num_classes=6):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, mode="mean")
        self.fc = nn.Linear(embed_dim, num_classes)

    def forward(self, token_ids, offsets):
        return self.fc(self.embedding(token_ids, offsets))
