"""`python -m core letters --task L1`: train a course letter model and print its predictions."""

from __future__ import annotations


def add_arguments(parser) -> None:
    parser.add_argument("--task", default="L1", choices=["L1", "L2", "L3", "L4"], help="course task (SPEC.md)")
    parser.add_argument("--cell", default="rnn", choices=["rnn", "lstm", "gru"], help="recurrent cell")
    parser.add_argument("--epochs", type=int, default=None, help="epochs (course: 100)")
    parser.add_argument("--seed", type=int, default=None, help="seed for keras.utils.set_random_seed (course: 7)")
    parser.add_argument("--predict", metavar="LETTERS", help="also give the next-letter probabilities after LETTERS")
    parser.add_argument("--no-cache", action="store_true", help="train even if a cached result exists")


def run(args) -> dict:
    from core.letters import LetterConfig, predict_next, train_letters

    changes = {k: v for k, v in (("epochs", args.epochs), ("seed", args.seed)) if v is not None}
    config = LetterConfig.course(args.task, cell=args.cell, **changes)
    result = train_letters(config, use_cache=not args.no_cache)
    out = {
        "task": config.task,
        "cell": config.cell,
        "seed": config.seed,
        "epochs": config.epochs,
        "accuracy": result.accuracy,
        "train_seconds": round(result.train_seconds, 3),
        "epochs_run": result.epochs_run,
        "cached": result.cached,
        "final_loss": result.history["loss"][-1] if result.history.get("loss") else None,
        "predictions": result.predictions,
    }
    if args.predict is not None:
        out["probabilities"] = {k: round(v, 4) for k, v in predict_next(result, config, args.predict).items()}
    return out
