"""Pictures of articles: fetched, checked, decoded in a bounded worker, scaled and cached.

Image bytes come from strangers: the pixel count is read from the header and refused above a
cap before anything is decoded, decoding runs in a worker process with a deadline, and only our
own re-encoding of the scaled picture is ever stored or handed to a renderer.
"""
