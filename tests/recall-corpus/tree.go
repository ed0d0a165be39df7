func insert(n *Node, key string, value int) *Node {
	if n == nil {
		return &Node{Key: key, Value: value}
	}
	switch {
	case key < n.Key:
		n.Left = insert(n.Left, key, value)
	case key > n.Key:
		n.Right = insert(n.Right, key, value)
	default:
		n.Value = value
	}
	return n
}
