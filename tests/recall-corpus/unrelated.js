document.querySelectorAll('.tab').forEach((tab) => {
  tab.addEventListener('click', (event) => {
    event.preventDefault();
    document.querySelector('.tab.active')?.classList.remove('active');
    tab.classList.add('active');
    render(tab.dataset.panel);
  });
});
