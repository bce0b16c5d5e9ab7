"""A tiny CLIP text encoder for the tiny Stable Diffusion 1.5 fixture (sd/sd15): hidden_size 8, the UNet's
cross_attention_dim, with the vocabulary size of clip/tokenizer (49408: its special tokens keep their SD ids), so that a whole pipeline folder can be assembled
from the fixtures (tokenizer from clip/tokenizer, text_encoder from sd/sd15-text_encoder, the rest from sd/sd15).

    python3 Tests/ModelsTests/Fixtures/generate_sd_text_encoder.py
"""
from pathlib import Path

import torch
from transformers import CLIPTextConfig, CLIPTextModel

here = Path(__file__).resolve().parent
torch.manual_seed(7)
config = CLIPTextConfig(vocab_size=49408, hidden_size=8, intermediate_size=16, num_hidden_layers=1,
                        num_attention_heads=2, max_position_embeddings=77, hidden_act="quick_gelu",
                        projection_dim=8, bos_token_id=49406, eos_token_id=49407, pad_token_id=49407)
# float16 keeps the file under 1 MB (the token embedding is 49408 × 8); belm reads F16 tensors as float32.
model = CLIPTextModel(config).eval().half()
model.save_pretrained(here / "sd" / "sd15-text_encoder", safe_serialization=True)
