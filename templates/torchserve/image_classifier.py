"""TorchServe handler for image classification (mserve template).

Needs only torch and Pillow (TorchServe depends on Pillow; no torchvision). The
serialized file is a TorchScript model (torch.jit.save) taking a float tensor of
shape [N, 3, 224, 224]; index_to_name.json maps class indices to labels.
Accepts raw image bytes, base64 text, or {"data"|"image": <base64>} JSON per request.
Replies per request: {"label": ..., "score": ..., "topk": [{"label", "score"}, ...]}.
Devices: BaseHandler.initialize puts the model on cuda:<gpu_id> when TorchServe assigned the
worker a GPU and torch sees CUDA, else on the CPU; preprocess moves each batch to self.device.
"""

import base64
import io

import torch
from PIL import Image
from ts.torch_handler.base_handler import BaseHandler

SIZE = 224
RESIZE = 256
# ImageNet statistics: what most pretrained vision models expect.
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)


class ImageClassifierHandler(BaseHandler):
    """The module's only class: TorchServe refuses handler modules that define more than one."""

    def initialize(self, context):
        # BaseHandler loads the TorchScript model from serializedFile (or an eager one via
        # modelFile) and index_to_name.json into self.mapping (None when the file is absent).
        super().initialize(context)
        config = getattr(context, "model_yaml_config", None) or {}
        self.topk = int((config.get("handler") or {}).get("topk", 5))

    @staticmethod
    def _image_bytes(request):
        payload = request.get("data") if request.get("data") is not None else request.get("body")
        if isinstance(payload, dict):
            payload = payload.get("data") or payload.get("image") or ""
        if isinstance(payload, str):
            # Browsers send data URLs ("data:image/png;base64,..."); plain base64 has no comma.
            payload = base64.b64decode(payload.split(",", 1)[-1])
        return bytes(payload)

    @staticmethod
    def _to_tensor(image):
        # Resize the short side, center-crop, scale to [0, 1], normalize: what torchvision's
        # Resize/CenterCrop/ToTensor/Normalize would do.
        image = image.convert("RGB")
        scale = RESIZE / min(image.size)
        size = (max(SIZE, round(image.width * scale)), max(SIZE, round(image.height * scale)))
        image = image.resize(size, Image.BILINEAR)
        left, top = (image.width - SIZE) // 2, (image.height - SIZE) // 2
        image = image.crop((left, top, left + SIZE, top + SIZE))
        pixels = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8).view(SIZE, SIZE, 3)
        return (pixels.permute(2, 0, 1).float() / 255.0 - MEAN) / STD

    def preprocess(self, data):
        tensors = [self._to_tensor(Image.open(io.BytesIO(self._image_bytes(request)))) for request in data]
        return torch.stack(tensors).to(self.device)

    def postprocess(self, data):
        probabilities = torch.softmax(data, dim=1)
        scores, indices = probabilities.topk(min(self.topk, probabilities.shape[1]), dim=1)
        results = []
        for row_scores, row_indices in zip(scores.tolist(), indices.tolist()):
            topk = [{"label": self._label(i), "score": round(s, 6)} for s, i in zip(row_scores, row_indices)]
            results.append({"label": topk[0]["label"], "score": topk[0]["score"], "topk": topk})
        return results

    def _label(self, index):
        return (self.mapping or {}).get(str(index), str(index))
