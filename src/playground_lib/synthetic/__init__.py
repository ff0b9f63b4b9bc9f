"""Synthetic playgrounds: scenes whose masks are exact because the code drew them.

Hand annotation is slow, error-prone and, when photos show people, an ethical question of its own.
A scene drawn by code comes with its label map for free, pixel for pixel. ``procedural`` draws
playgrounds with numpy and PIL in milliseconds; ``blender`` (optional extra) renders 3-D scenes.
"""

from .procedural import Scene, generate_scene, write_scene, write_scenes

__all__ = ["Scene", "generate_scene", "write_scene", "write_scenes"]
