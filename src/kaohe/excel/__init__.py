"""Excel in and out, in the layout the offices already use (SPEC §9)."""
