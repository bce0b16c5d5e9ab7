#!/usr/bin/env python3
"""Golden fixtures for belm's CLIP tokenizer and CLIP text encoder (Stable Diffusion 1.5's text side).

Writes, under Tests/ModelsTests/Fixtures/clip/ (a diffusers-style folder holding only the text side):
  tokenizer/vocab.json, merges.txt, tokenizer_config.json, special_tokens_map.json
  tokenizer_expected.json      prompts and the ids transformers' CLIPTokenizer gives them (padded to 77)
  text_encoder/config.json, model.safetensors   a tiny random-weight CLIPTextModel (save_pretrained)
  text_encoder_io.safetensors  input_ids [B,77] int64 and the model's last_hidden_state [B,77,D]; also
                               last_hidden_state_gelu, the same weights run with hidden_act "gelu"

Vocabulary source: OpenAI CLIP's BPE file `bpe_simple_vocab_16e6.txt.gz` as shipped inside the
open_clip_torch wheel (open_clip/bpe_simple_vocab_16e6.txt.gz; this script was run with the one in
open_clip_torch 3.3.0, sha256 924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a).
vocab.json and merges.txt are built from it the way CLIP (and so SD1.5's tokenizer/ folder) builds them:
the 256 byte-level characters, the same with `</w>`, one token per merge in merge order, then
<|startoftext|> and <|endoftext|>. The full files are ~2 MB, so the fixture keeps only the first
MERGES merges and the tokens they produce. Every kept token keeps its id from the full vocabulary
(the kept ids are 0 ..< 512 + MERGES) and the two special tokens keep theirs (49406, 49407), so ids of
words that the kept merges fully join are the real SD1.5 ids. The reference ids come from transformers'
CLIPTokenizer loaded from these same truncated files.

Usage: python3 generate_clip.py PATH/TO/bpe_simple_vocab_16e6.txt.gz
"""
import gzip
import json
import os
import shutil
import sys
import tempfile

import torch
from safetensors.torch import save_file
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer
import transformers

MERGES = 6000
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "clip")


def bytes_to_unicode():
    """CLIP's (and GPT-2's) reversible byte → printable-character map."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def build_vocabulary(bpe_path):
    lines = gzip.open(bpe_path).read().decode("utf-8").split("\n")
    # As CLIP's SimpleTokenizer: skip the header line, keep 49152 - 256 - 2 merges.
    all_merges = [tuple(line.split()) for line in lines[1 : 49152 - 256 - 2 + 1]]
    assert len(all_merges) == 48894
    merges = all_merges[:MERGES]
    base = list(bytes_to_unicode().values())
    tokens = base + [b + "</w>" for b in base] + ["".join(m) for m in merges]
    vocab = {token: i for i, token in enumerate(tokens)}
    assert len(vocab) == len(tokens), "duplicate tokens"
    vocab["<|startoftext|>"] = 49406
    vocab["<|endoftext|>"] = 49407
    return vocab, merges


def special(content):
    return {"content": content, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False}


def write_tokenizer(folder, vocab, merges, pad_token="<|endoftext|>"):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")
    # The layout of runwayml/stable-diffusion-v1-5's tokenizer/ configs.
    config = {
        "add_prefix_space": False,
        "bos_token": {"__type": "AddedToken", **special("<|startoftext|>")},
        "do_lower_case": True,
        "eos_token": {"__type": "AddedToken", **special("<|endoftext|>")},
        "errors": "replace",
        "model_max_length": 77,
        "pad_token": pad_token,
        "tokenizer_class": "CLIPTokenizer",
        "unk_token": {"__type": "AddedToken", **special("<|endoftext|>")},
    }
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump(config, f, indent=2)
    specials = {
        "bos_token": special("<|startoftext|>"),
        "eos_token": special("<|endoftext|>"),
        "pad_token": pad_token,
        "unk_token": special("<|endoftext|>"),
    }
    with open(os.path.join(folder, "special_tokens_map.json"), "w") as f:
        json.dump(specials, f, indent=2)


PROMPTS = [
    "",
    "a photo of an astronaut riding a horse on mars",
    "A Dog",
    "A Dalmatian",
    "A PHOTO OF A CAT, highly detailed, 8k, trending on artstation!!!",
    "hello, world... what's up? it's 3:45pm; isn't it?",
    "they're here; we've done it, I'm sure you'll agree he'd come",
    "''s 's' \"quoted\" it'S WE'RE",
    "numbers: 0123456789 3.14159 1,000,000 ½ ² ①",
    "   leading and trailing spaces   ",
    "multiple     spaces\tand\ttabs\nnew\n\nlines\r\nand more",
    "non\u00a0breaking\u3000ideographic\u2003em space",
    "zero\u200bwidth joiner\u200d and bom\ufeff",
    "café naïve résumé Ångström Zoë façade",
    "cafe\u0301 decomposed e\u0301",
    "ÉCOLE ÜBER STRAßE İstanbul ΣΊΣΥΦΟΣ",
    "emoji 🐶🐱 👍🏽 family 👨‍👩‍👧 flags 🇫🇷",
    "东京的夜景 日本語のテキスト 한국어 문장",
    "Привет мир, Ελληνικά, עברית, العربية, हिन्दी",
    "symbols @#$%^&*()_+-=[]{}|\\;:<>?/~`",
    "curly “quotes” and ‘apostrophes’ — dashes – and … ellipsis",
    "html &amp; entities &lt;b&gt; fullwidth ＡＢＣ１２３ ligature ﬁ",
    "<|startoftext|> special tokens <|endoftext|> inside",
    "<|ENDOFTEXT|> shouted",
    "tokenization internationalization antidisestablishmentarianism",
    "a " * 80,
    " ".join(f"word{i}" for i in range(100)),
    "supercalifragilisticexpialidocious " * 12,
]


def expected_ids(tokenizer, prompts):
    out = tokenizer(prompts, padding="max_length", max_length=tokenizer.model_max_length, truncation=True)
    # Untruncated lengths tell the test which prompts must warn.
    full = tokenizer(prompts, truncation=False)
    return [
        {"prompt": p, "ids": ids, "untruncated_length": len(f)}
        for p, ids, f in zip(prompts, out["input_ids"], full["input_ids"])
    ]


def make_tokenizer_fixture(bpe_path):
    vocab, merges = build_vocabulary(bpe_path)
    folder = os.path.join(OUT, "tokenizer")
    shutil.rmtree(folder, ignore_errors=True)
    write_tokenizer(folder, vocab, merges)
    tokenizer = CLIPTokenizer.from_pretrained(folder)
    assert tokenizer.model_max_length == 77
    assert tokenizer.pad_token_id == 49407 and tokenizer.bos_token_id == 49406
    cases = expected_ids(tokenizer, PROMPTS)
    # SD2's tokenizer pads with "!" (id 0) instead: the padding must follow the config.
    with tempfile.TemporaryDirectory() as tmp:
        write_tokenizer(tmp, vocab, merges, pad_token="!")
        bang = CLIPTokenizer.from_pretrained(tmp)
        assert bang.pad_token_id == 0
        bang_cases = expected_ids(bang, PROMPTS[:5] + ["wow!!! ok!", "a<|endoftext|>b !<|startoftext|>!"])
    record = {
        "generator": "generate_clip.py",
        "transformers_version": transformers.__version__,
        "vocabulary": "bpe_simple_vocab_16e6.txt.gz from open_clip_torch 3.3.0, first %d merges" % MERGES,
        "cases": cases,
        "pad_bang_cases": bang_cases,
    }
    with open(os.path.join(OUT, "tokenizer_expected.json"), "w", encoding="utf-8") as f:
        json.dump(record, f, ensure_ascii=False, indent=1)


def randomise(model, generator):
    """Every parameter random, norm affines included, so a port that drops one cannot pass."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("layer_norm1.weight") or name.endswith("layer_norm2.weight") or name.endswith("final_layer_norm.weight"):
                p.copy_(1 + 0.3 * torch.randn(p.shape, generator=generator))
            else:
                p.copy_(0.3 * torch.randn(p.shape, generator=generator))


def make_text_encoder_fixture():
    generator = torch.Generator().manual_seed(20240611)
    # SD1.5's text encoder config (openai/clip-vit-large-patch14's text tower: quick_gelu, eps 1e-5,
    # 77 positions) with tiny sizes. The vocabulary is cut to 1000 rows to keep the file small, so the
    # start/end ids move into range; the sequences are shaped like SD's (start, words, end, end padding).
    vocab_size, start, end = 1000, 998, 999
    config = CLIPTextConfig(
        vocab_size=vocab_size,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        max_position_embeddings=77,
        hidden_act="quick_gelu",
        layer_norm_eps=1e-5,
        projection_dim=32,
        bos_token_id=start,
        eos_token_id=end,
        pad_token_id=end,
    )
    model = CLIPTextModel(config).eval()
    randomise(model, generator)
    folder = os.path.join(OUT, "text_encoder")
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(folder, safe_serialization=True)
    rows = []
    for words in (12, 0, 75):
        body = torch.randint(0, start, (words,), generator=generator).tolist()
        row = [start] + body + [end]
        rows.append(row + [end] * (77 - len(row)))
    ids = torch.tensor(rows, dtype=torch.int64)
    with torch.no_grad():
        hidden = model(input_ids=ids).last_hidden_state
    # The same weights with hidden_act "gelu" (exact erf GELU), the other activation belm accepts.
    gelu_config = CLIPTextConfig.from_dict({**config.to_dict(), "hidden_act": "gelu"})
    gelu_model = CLIPTextModel(gelu_config).eval()
    gelu_model.load_state_dict(model.state_dict())
    with torch.no_grad():
        gelu_hidden = gelu_model(input_ids=ids).last_hidden_state
    assert (gelu_hidden - hidden).abs().max() > 1e-3, "gelu and quick_gelu outputs must differ to test anything"
    save_file(
        {
            "input_ids": ids.contiguous(),
            "last_hidden_state": hidden.float().contiguous(),
            "last_hidden_state_gelu": gelu_hidden.float().contiguous(),
        },
        os.path.join(OUT, "text_encoder_io.safetensors"),
    )


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    make_tokenizer_fixture(sys.argv[1])
    make_text_encoder_fixture()
    for root, _, files in os.walk(OUT):
        for name in sorted(files):
            path = os.path.join(root, name)
            print(f"{os.path.getsize(path):>9}  {os.path.relpath(path, HERE)}")


if __name__ == "__main__":
    main()
