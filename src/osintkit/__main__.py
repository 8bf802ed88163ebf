"""``python -m osintkit`` runs the command line."""

from osintkit.launch import main

main()
