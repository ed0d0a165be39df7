@dataclass
class Point:
    x: float
    y: float

    @property
    def norm(self):
        return math.hypot(self.x, self.y)

    def scaled(self, k):
        return Point(self.x * k, self.y * k)

print(sorted([Point(1, 2), Point(0, 1)], key=lambda p: p.norm))
