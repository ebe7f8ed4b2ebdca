"""Assessment years, their frozen schemes and the responsibility letters' targets."""
