func (p *Pool) Get() (*Conn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.idle) > 0 {
		c := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if c.Alive() {
			return c, nil
		}
		c.Close()
	}
	if p.open >= p.max {
		return nil, ErrPoolExhausted
	}
	p.open++
	return p.dial()
}
