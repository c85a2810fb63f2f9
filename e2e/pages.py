"""Page helpers shared by the journeys: signing in, reading a figure."""


def login(page, username: str, password: str) -> None:
    page.goto(f"{page.base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].button-primary")
    page.wait_for_load_state("networkidle")


def figure(page, name: str) -> str:
    """The text of a figure marked ``data-figure="name"``, without thousands separators."""
    return page.locator(f'[data-figure="{name}"]').inner_text().strip().replace(",", "")
